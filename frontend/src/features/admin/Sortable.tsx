// Drag-and-drop rows (dnd-kit): a handle per row to drag with the mouse or touch, or with the
// keyboard (focus the handle, Space to lift, arrows to move, Space to drop, Escape to cancel),
// each step read out with the item's name. The order itself is `useReorder`'s (reorder.ts).
import { closestCenter, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type Announcements, type DragEndEvent, type UniqueIdentifier } from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import type { ReactNode } from 'react';

export function SortableList({ ids, names, onMove, disabled, children }: { ids: string[]; names: Record<string, string>; onMove: (from: number, to: number) => void; disabled: boolean; children: ReactNode }) {
  // a few pixels of movement before a drag starts, so a click on the handle stays a click
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const label = (id: UniqueIdentifier | undefined) => (id === undefined ? '' : (names[String(id)] ?? String(id)));
  const place = (id: UniqueIdentifier | undefined) => (id === undefined ? 0 : ids.indexOf(String(id)) + 1);
  const announcements: Announcements = {
    onDragStart: ({ active }) => `Picked up ${label(active.id)}, position ${place(active.id)} of ${ids.length}.`,
    onDragOver: ({ active, over }) => (over ? `${label(active.id)} is over position ${place(over.id)} of ${ids.length}.` : `${label(active.id)} is no longer over the list.`),
    onDragEnd: ({ active, over }) => (over ? `${label(active.id)} dropped at position ${place(over.id)} of ${ids.length}.` : `${label(active.id)} dropped where it was.`),
    onDragCancel: ({ active }) => `Moving ${label(active.id)} cancelled; it stays at position ${place(active.id)}.`,
  };
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    onMove(ids.indexOf(String(active.id)), ids.indexOf(String(over.id)));
  };
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      onDragEnd={onDragEnd}
      accessibility={{
        announcements,
        screenReaderInstructions: { draggable: 'To reorder, press Space or Enter to lift the item, the arrow keys to move it, Space or Enter again to drop it, or Escape to cancel.' },
      }}
    >
      <SortableContext items={ids} strategy={verticalListSortingStrategy} disabled={disabled}>
        {children}
      </SortableContext>
    </DndContext>
  );
}

/** A table row that can be dragged by the handle it hands to `children`. */
export function SortableRow({ id, name, className, children }: { id: string; name: string; className?: string; children: (handle: ReactNode) => ReactNode }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id });
  const handle = (
    <button type="button" ref={setActivatorNodeRef} className="btn btn-small drag-handle" {...attributes} {...listeners} aria-label={`Drag ${name} to reorder`} title="Drag to reorder">
      ⠿
    </button>
  );
  return (
    <tr ref={setNodeRef} data-sortable-id={id} className={[className, isDragging ? 'dragging' : ''].filter(Boolean).join(' ') || undefined} style={{ transform: CSS.Translate.toString(transform), transition }}>
      {children(handle)}
    </tr>
  );
}
