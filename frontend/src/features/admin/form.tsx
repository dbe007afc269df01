// The pieces the admin forms are built from: a labelled field that shows the server's message
// for it, checkbox groups, a token (chip) input, a time-zone select and a copy button.
import { cloneElement, useId, useMemo, useState, type ReactElement, type ReactNode } from 'react';

/** The server's messages for one field, under it. */
export function FieldError({ id, messages }: { id?: string; messages?: string[] }) {
  if (!messages?.length) return null;
  return (
    <span id={id} className="field-error">
      {messages.join(' ')}
    </span>
  );
}

type ControlProps = { id?: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string };

/** A label, one control and its error; the control gets the id and the aria wiring. */
export function Field({
  label,
  errors,
  hint,
  wide,
  children,
}: {
  label: string;
  errors?: string[];
  hint?: ReactNode;
  wide?: boolean;
  children: ReactElement<ControlProps>;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const invalid = !!errors?.length;
  const describedBy = [invalid ? errorId : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={wide ? 'field field-wide' : 'field'} data-invalid={invalid || undefined}>
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id, 'aria-invalid': invalid || undefined, 'aria-describedby': describedBy })}
      {hint && (
        <span id={hintId} className="hint">
          {hint}
        </span>
      )}
      <FieldError id={errorId} messages={errors} />
    </div>
  );
}

/** The messages no field shows (or a network failure), once, above the buttons. */
export function FormErrors({ messages }: { messages: string[] }) {
  if (!messages.length) return null;
  return (
    <div className="form-error" role="alert">
      {messages.length === 1 ? (
        messages[0]
      ) : (
        <ul>
          {messages.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A set of checkboxes in a fieldset; `value` is the checked options in option order. */
export function CheckboxGroup<T extends string>({
  legend,
  options,
  value,
  onChange,
  errors,
  inline = true,
}: {
  legend: string;
  options: readonly { value: T; label: string }[];
  value: readonly T[];
  onChange: (next: T[]) => void;
  errors?: string[];
  inline?: boolean;
}) {
  const errorId = useId();
  return (
    <fieldset className={inline ? 'checks checks-inline' : 'checks'} aria-describedby={errors?.length ? errorId : undefined} aria-invalid={errors?.length ? true : undefined}>
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className="check">
          <input
            type="checkbox"
            checked={value.includes(o.value)}
            onChange={(e) => onChange(options.map((x) => x.value).filter((v) => (v === o.value ? e.target.checked : value.includes(v))))}
          />
          {o.label}
        </label>
      ))}
      <FieldError id={errorId} messages={errors} />
    </fieldset>
  );
}

/** Split typed text into tokens: commas and new lines separate, blanks dropped, no repeats. */
export function tokensOf(text: string, normalize: (t: string) => string = (t) => t.trim()): string[] {
  const out: string[] = [];
  for (const part of text.split(/[,\n]/)) {
    const token = normalize(part);
    if (token && !out.includes(token)) out.push(token);
  }
  return out;
}

/** Chips for a list of short values (labels, domains, keywords): Enter or comma adds one. */
export function TokenInput({
  id,
  value,
  onChange,
  suggestions = [],
  placeholder,
  lowercase,
  maxLength = 100,
  'aria-invalid': invalid,
  'aria-describedby': describedBy,
  'aria-label': ariaLabel,
}: {
  id?: string;
  value: readonly string[];
  onChange: (next: string[]) => void;
  suggestions?: readonly string[];
  placeholder?: string;
  lowercase?: boolean;
  maxLength?: number;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
  'aria-label'?: string;
}) {
  const [text, setText] = useState('');
  const listId = useId();
  const normalize = (t: string) => (lowercase ? t.trim().toLowerCase() : t.trim());
  const commit = (raw: string) => {
    const added = tokensOf(raw, normalize).filter((t) => !value.includes(t));
    if (added.length) onChange([...value, ...added]);
    setText('');
  };
  return (
    <div className="tokens">
      {value.map((token) => (
        <span key={token} className="chip">
          {token}
          <button type="button" className="chip-x" aria-label={`Remove ${token}`} onClick={() => onChange(value.filter((t) => t !== token))}>
            ×
          </button>
        </span>
      ))}
      <input
        id={id}
        aria-label={ariaLabel}
        aria-invalid={invalid}
        aria-describedby={describedBy}
        list={suggestions.length ? listId : undefined}
        value={text}
        maxLength={maxLength}
        placeholder={value.length ? '' : placeholder}
        onChange={(e) => (/[,\n]/.test(e.target.value) ? commit(e.target.value) : setText(e.target.value))}
        onBlur={() => text.trim() && commit(text)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit(text);
          } else if (e.key === 'Backspace' && !text && value.length) {
            onChange(value.slice(0, -1));
          }
        }}
      />
      {suggestions.length > 0 && (
        <datalist id={listId}>
          {suggestions
            .filter((s) => !value.includes(s))
            .map((s) => (
              <option key={s} value={s} />
            ))}
        </datalist>
      )}
    </div>
  );
}

const FALLBACK_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Dublin',
  'Europe/Lisbon',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Madrid',
  'Europe/Rome',
  'Europe/Amsterdam',
  'Europe/Stockholm',
  'Europe/Warsaw',
  'Europe/Athens',
  'Europe/Helsinki',
  'Europe/Istanbul',
  'Europe/Moscow',
  'Africa/Cairo',
  'Africa/Johannesburg',
  'Africa/Lagos',
  'Africa/Nairobi',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Kolkata',
  'Asia/Bangkok',
  'Asia/Singapore',
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Tokyo',
  'Asia/Seoul',
  'Australia/Perth',
  'Australia/Sydney',
  'Pacific/Auckland',
  'America/St_Johns',
  'America/Halifax',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
  'America/Mexico_City',
  'America/Bogota',
  'America/Lima',
  'America/Santiago',
  'America/Sao_Paulo',
  'America/Argentina/Buenos_Aires',
];

/** Every IANA zone the browser knows (a short list where it cannot say), UTC first. */
export function timeZones(current?: string): string[] {
  let zones: string[];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = FALLBACK_ZONES;
  }
  const all = new Set(['UTC', ...zones]);
  if (current) all.add(current);
  return [...all].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)));
}

/** A select of IANA time zones, grouped by region. */
export function TimeZoneSelect({
  value,
  onChange,
  ...aria
}: { value: string; onChange: (zone: string) => void; id?: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string; 'aria-label'?: string }) {
  const groups = useMemo(() => {
    const byRegion = new Map<string, string[]>();
    for (const zone of timeZones(value)) {
      const region = zone.includes('/') ? zone.split('/')[0]! : 'Other';
      byRegion.set(region, [...(byRegion.get(region) ?? []), zone]);
    }
    return [...byRegion.entries()];
  }, [value]);
  return (
    <select value={value} onChange={(e) => onChange(e.target.value)} {...aria}>
      {groups.map(([region, zones]) => (
        <optgroup key={region} label={region}>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z.replace(/_/g, ' ')}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}

/** Copy a text to the clipboard, with a fallback for browsers that refuse the async API. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

/** A "Copy" button that says "Copied" for a moment. */
export function CopyButton({ text, label = 'Copy', what }: { text: string; label?: string; what?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      className="btn btn-small copy-button"
      aria-label={what ? `${label} ${what}` : undefined}
      onClick={() => {
        void copyText(text).then((ok) => {
          setState(ok ? 'copied' : 'failed');
          window.setTimeout(() => setState('idle'), 2000);
        });
      }}
    >
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy' : label}</span>
    </button>
  );
}
