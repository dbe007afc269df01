// A 422's problem+json `errors[].loc` placed at the form field it concerns: each error goes to
// the deepest field the form shows on its path (["body","targets","urgent","resolution_minutes"]
// → "targets.urgent.resolution_minutes", or "targets.urgent" when only the row is shown); the
// rest is shown once, above the form's buttons.
import { ApiError, errorMessage } from '../../api/client';

export interface PlacedErrors {
  /** Messages per known field path. */
  byPath: Record<string, string[]>;
  /** Messages that concern no field the form shows (or the whole request). */
  other: string[];
}

/** "targets.urgent.resolution_minutes" for ["body", "targets", "urgent", "resolution_minutes"]. */
export function errorPath(loc: readonly unknown[] | undefined): string {
  const parts = (loc ?? []).map((p) => String(p));
  if (parts[0] === 'body' || parts[0] === 'query' || parts[0] === 'path') parts.shift();
  return parts.join('.');
}

/** Pydantic's "Value error, …" prefix dropped; the first letter up. */
export function cleanMessage(msg: string | undefined): string {
  const text = (msg ?? 'invalid').replace(/^(Value error|Assertion failed), /, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function within(path: string, field: string): boolean {
  return field === '' ? path === '' : path === field || path.startsWith(`${field}.`);
}

/** Place the errors of `error` at the `known` field paths of a form. */
export function placeErrors(error: unknown, known: readonly string[]): PlacedErrors {
  const placed: PlacedErrors = { byPath: {}, other: [] };
  if (!error) return placed;
  if (!(error instanceof ApiError) || error.errors.length === 0) {
    placed.other.push(errorMessage(error));
    return placed;
  }
  for (const item of error.errors) {
    const path = errorPath(item.loc);
    const message = cleanMessage(item.msg);
    const field = known.filter((k) => within(path, k)).sort((a, b) => b.length - a.length)[0];
    if (field !== undefined) (placed.byPath[field] ??= []).push(message);
    else placed.other.push(path ? `${path.replace(/\./g, ' › ')}: ${message}` : message);
  }
  return placed;
}
