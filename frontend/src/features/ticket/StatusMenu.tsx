// The status badge in the ticket header is also its status menu (`s` opens it). It offers only
// the moves the ticket's lifecycle allows this caller now, marking those that wait for an
// approver or still need fields filled in.
import type { Ref } from 'react';
import type { Schemas, Status, Ticket } from '../../api/client';
import { useTransitions } from '../../api/queries';
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
  const transitions = useTransitions(ticket);
  const options = menuStatuses(ticket.status, statuses, transitions.data?.transitions);
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
      items={options.map(({ status: s, option }) => ({
        key: s.name,
        text: s.label,
        checked: s.name === ticket.status,
        label: (
          <>
            <StatusBadge status={s.name} category={s.category} label={s.label} />
            {option?.needs_approval && <span className="muted small"> needs approval</span>}
            {!!option?.missing_fields.length && <span className="muted small"> needs {option.missing_fields.join(', ')}</span>}
          </>
        ),
        onSelect: () => s.name !== ticket.status && onPick(s.name),
      }))}
    />
  );
}

/** The current status, then the statuses the lifecycle lets this caller reach (all of them
 *  until the server has said). */
export function menuStatuses(current: string, statuses: Status[], transitions: Schemas['TransitionOption'][] | undefined): { status: Status; option?: Schemas['TransitionOption'] }[] {
  if (!transitions) return statuses.map((status) => ({ status }));
  const byName = new Map(transitions.map((t) => [t.status, t]));
  return statuses.filter((s) => s.name === current || byName.has(s.name)).map((status) => ({ status, option: byName.get(status.name) }));
}
