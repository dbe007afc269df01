// The status badge in the ticket header is also its status menu (`s` opens it).
import type { Ref } from 'react';
import type { Status, Ticket } from '../../api/client';
import { StatusBadge } from '../../components/ui';
import { MenuButton } from './Menu';

export function StatusMenu({
  ticket,
  statuses,
  open,
  onOpenChange,
  onPick,
  disabled,
  buttonRef,
}: {
  ticket: Ticket;
  statuses: Status[];
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onPick: (status: string) => void;
  disabled: boolean;
  buttonRef?: Ref<HTMLButtonElement>;
}) {
  const label = statuses.find((s) => s.name === ticket.status)?.label;
  return (
    <MenuButton
      open={open}
      onOpenChange={onOpenChange}
      menuLabel="Set the status"
      buttonRef={buttonRef}
      buttonClassName="status-menu-button"
      buttonTitle="Change the status (s)"
      disabled={disabled}
      buttonContent={
        <>
          <StatusBadge status={ticket.status} category={ticket.status_category} label={label} />
          <span aria-hidden="true" className="caret">
            ▾
          </span>
        </>
      }
      items={statuses.map((s) => ({
        key: s.name,
        text: s.label,
        checked: s.name === ticket.status,
        label: <StatusBadge status={s.name} category={s.category} label={s.label} />,
        onSelect: () => s.name !== ticket.status && onPick(s.name),
      }))}
    />
  );
}
