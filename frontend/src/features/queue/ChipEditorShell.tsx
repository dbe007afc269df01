import type { ReactNode } from 'react';

/** The popover a filter chip opens: Escape closes it, "Done" at its foot. */
export function ChipEditorShell({ label, onClose, children }: { label: string; onClose: () => void; children: ReactNode }) {
  return (
    <div
      className="chip-editor"
      role="dialog"
      aria-label={`${label} filter`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      {children}
      <div className="chip-editor-foot">
        <button type="button" className="btn btn-small" onClick={onClose}>
          Done
        </button>
      </div>
    </div>
  );
}
