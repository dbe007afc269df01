// The requester field of New ticket: an email input that looks contacts up as you type
// (debounced), as an ARIA 1.2 combobox: ↓/↑ move, Enter picks, Escape closes, and the
// input keeps focus throughout (aria-activedescendant names the highlighted option).
import { useQuery } from '@tanstack/react-query';
import { useId, useState, type KeyboardEvent } from 'react';
import { lookupContacts, useDebounced, type Contact } from './api';

export function ContactLookup(props: {
  value: string;
  onChange: (email: string) => void;
  onPick: (contact: Contact) => void;
  /** where matches come from (the API by default) */
  lookup?: (q: string) => Promise<Contact[]>;
  delay?: number;
  label?: string;
}) {
  const { value, onChange, onPick, lookup = lookupContacts, delay = 250, label = 'Customer email' } = props;
  const id = useId();
  const listId = `${id}-list`;
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const q = useDebounced(value.trim(), delay);
  const found = useQuery({
    queryKey: ['contact-lookup', q],
    queryFn: () => lookup(q),
    enabled: open && q.length > 0,
    staleTime: 30_000,
  });
  const options = q && open ? (found.data ?? []) : [];
  const expanded = open && options.length > 0;
  const pick = (contact: Contact) => {
    onPick(contact);
    setOpen(false);
    setActive(-1);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!open) setOpen(true);
      if (options.length) setActive((i) => (i + 1) % options.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      if (options.length) setActive((i) => (i <= 0 ? options.length - 1 : i - 1));
    } else if (e.key === 'Enter' && expanded && active >= 0 && options[active]) {
      e.preventDefault(); // picks the contact instead of submitting the form
      pick(options[active]);
    } else if (e.key === 'Escape' && expanded) {
      e.preventDefault();
      setOpen(false);
      setActive(-1);
    }
  };
  const status = !open || !q ? '' : found.isFetching && !found.data ? 'Looking for customers…' : options.length ? `${options.length} customer${options.length === 1 ? '' : 's'} found; use the arrow keys to choose.` : 'No customer matches; a new one is created.';
  return (
    <div className="contact-lookup">
      <input
        id={`${id}-input`}
        type="email"
        role="combobox"
        aria-label={label}
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={listId}
        aria-activedescendant={expanded && active >= 0 ? `${id}-opt-${active}` : undefined}
        autoComplete="off"
        value={value}
        maxLength={320}
        placeholder="customer@example.com"
        onChange={(e) => {
          onChange(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      <ul id={listId} role="listbox" aria-label="Matching customers" hidden={!expanded}>
        {options.map((c, i) => (
          <li
            key={c.id}
            id={`${id}-opt-${i}`}
            role="option"
            aria-selected={i === active}
            // mousedown, not click: the input's blur would close the list first
            onMouseDown={(e) => {
              e.preventDefault();
              pick(c);
            }}
            onMouseEnter={() => setActive(i)}
          >
            <span className="option-name">{c.name ?? c.email}</span>
            <span className="option-email">
              {c.email}
              {c.tickets_total ? ` · ${c.tickets_total} ticket${c.tickets_total === 1 ? '' : 's'}` : ''}
            </span>
          </li>
        ))}
      </ul>
      <span className="sr-only" role="status" aria-live="polite">
        {status}
      </span>
    </div>
  );
}
