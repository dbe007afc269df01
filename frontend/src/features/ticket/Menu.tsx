// A button that opens a menu: arrow keys move, a letter jumps, Enter picks, Esc closes and
// gives focus back to the button. Keys inside the menu never reach the page's shortcuts.
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode, type Ref } from 'react';

export type MenuItem = { key: string; label: ReactNode; text: string; onSelect: () => void; checked?: boolean; disabled?: boolean };

export function MenuButton({
  open,
  onOpenChange,
  items,
  menuLabel,
  buttonClassName,
  buttonContent,
  buttonTitle,
  buttonRef,
  disabled,
  align = 'start',
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  items: MenuItem[];
  menuLabel: string;
  buttonClassName: string;
  buttonContent: ReactNode;
  buttonTitle?: string;
  buttonRef?: Ref<HTMLButtonElement>;
  disabled?: boolean;
  align?: 'start' | 'end';
}) {
  const menuId = useId();
  const wrap = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLUListElement>(null);

  useEffect(() => {
    if (!open) return;
    const first = list.current?.querySelector<HTMLButtonElement>('[role^="menuitem"]:not([disabled])');
    const checked = list.current?.querySelector<HTMLButtonElement>('[aria-checked="true"]:not([disabled])');
    (checked ?? first)?.focus();
    const onDown = (event: MouseEvent) => {
      if (!wrap.current?.contains(event.target as Node)) onOpenChange(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open, onOpenChange]);

  const close = () => {
    onOpenChange(false);
    wrap.current?.querySelector<HTMLButtonElement>('[aria-haspopup="menu"]')?.focus();
  };

  const onMenuKey = (event: KeyboardEvent<HTMLUListElement>) => {
    event.stopPropagation();
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('[role^="menuitem"]:not([disabled])') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const move = (to: number) => buttons[(to + buttons.length) % buttons.length]?.focus();
    if (event.key === 'ArrowDown') move(at + 1);
    else if (event.key === 'ArrowUp') move(at - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(buttons.length - 1);
    else if (event.key === 'Escape') close();
    else if (event.key === 'Tab') onOpenChange(false);
    else if (event.key.length === 1 && /\S/.test(event.key)) {
      const letter = event.key.toLowerCase();
      const texts = buttons.map((b) => (b.dataset.text ?? '').toLowerCase());
      const next = [...texts.keys()].map((i) => (at + 1 + i) % texts.length).find((i) => texts[i]?.startsWith(letter));
      if (next !== undefined) move(next);
    } else return;
    if (event.key !== 'Tab') event.preventDefault();
  };

  return (
    <div className={`menu-wrap menu-${align}`} ref={wrap}>
      <button
        ref={buttonRef}
        type="button"
        className={buttonClassName}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        title={buttonTitle}
        disabled={disabled}
        onClick={() => onOpenChange(!open)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            onOpenChange(true);
          }
        }}
      >
        {buttonContent}
      </button>
      {open && (
        <ul className="td-menu" role="menu" id={menuId} aria-label={menuLabel} ref={list} onKeyDown={onMenuKey}>
          {items.map((item) => (
            <li key={item.key} role="none">
              <button
                type="button"
                role={item.checked === undefined ? 'menuitem' : 'menuitemradio'}
                aria-checked={item.checked}
                data-text={item.text}
                disabled={item.disabled}
                onClick={() => {
                  onOpenChange(false);
                  item.onSelect();
                }}
              >
                {item.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
