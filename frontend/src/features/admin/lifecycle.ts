// A ticket type's lifecycle as the editor holds it: a status × status grid whose cells say who
// may take that move (any agent or admin, or only some roles), and back to the API's
// `transitions` list (one entry per from-status and role set, `to` gathering the targets).
import type { Schemas } from '../../api/client';

export type Role = 'admin' | 'agent';
export const ROLES: readonly Role[] = ['agent', 'admin'];
export type TransitionIn = Schemas['Transition'];
export type TransitionOut = Schemas['TransitionRead'];

/** A cell: absent = not allowed; null roles = anyone who may write; else only these roles. */
export type Cell = { roles: Role[] | null };
/** grid[from][to]; grid[ANY] holds the moves allowed from any status */
export type Grid = Record<string, Record<string, Cell>>;

const cellKey = (roles: Role[] | null) => (roles === null ? '*' : [...roles].sort().join('+'));

function normalRoles(roles: readonly string[] | null | undefined): Role[] | null {
  if (!roles) return null;
  const known = ROLES.filter((r) => roles.includes(r));
  // both roles named is the same as no restriction
  return known.length === ROLES.length ? null : known;
}

/** The row of moves allowed from any status (the API's `from: "*"`). */
export const ANY = '*';

/** Whether a move allowed to `outer` roles already allows `inner` ones (null: anyone). */
function covers(outer: Role[] | null, inner: Role[] | null): boolean {
  if (outer === null) return true;
  return inner !== null && inner.every((r) => outer.includes(r));
}

/** The grid of a type's transitions over these statuses; `*` rules stay in their own row
 *  (grid[ANY]), so they save back as one wildcard rule, not one per status. */
export function gridFromTransitions(statuses: readonly string[], transitions: readonly { from: string; to: readonly string[]; roles?: readonly string[] | null }[] | null): Grid {
  const grid: Grid = { [ANY]: {} };
  for (const s of statuses) grid[s] = {};
  if (transitions === null) {
    for (const from of statuses) for (const to of statuses) if (from !== to) grid[from]![to] = { roles: null };
    return grid;
  }
  for (const t of transitions) {
    const from = t.from === ANY ? ANY : statuses.includes(t.from) ? t.from : null;
    if (from === null) continue;
    for (const to of t.to) {
      if (to === from || !statuses.includes(to)) continue;
      const roles = normalRoles(t.roles);
      const prev = grid[from]![to];
      // two entries for one move: the wider one wins (the server allows either)
      grid[from]![to] = prev && (prev.roles === null || roles === null) ? { roles: null } : prev ? { roles: normalRoles([...(prev.roles ?? []), ...(roles ?? [])]) } : { roles };
    }
  }
  return grid;
}

/** The move from `from` to `to` as the server sees it: its own cell, else the "any status" row's. */
export function effectiveCell(grid: Grid, from: string, to: string): (Cell & { viaAny: boolean }) | null {
  if (from === to) return null;
  const own = grid[from]?.[to];
  const any = grid[ANY]?.[to];
  if (own && !(any && covers(any.roles, own.roles))) return { ...own, viaAny: false };
  if (any) return { ...any, viaAny: true };
  return null;
}

/** The API's transitions for a grid: the "any status" row first, as `from: "*"`, then per
 *  from-status one entry per distinct role set, leaving out moves the wildcard already allows. */
export function transitionsFromGrid(statuses: readonly string[], grid: Grid): TransitionIn[] {
  const out: TransitionIn[] = [];
  for (const from of [ANY, ...statuses]) {
    const groups = new Map<string, { roles: Role[] | null; to: string[] }>();
    for (const to of statuses) {
      const cell = grid[from]?.[to];
      if (!cell || to === from) continue;
      const any = from === ANY ? undefined : grid[ANY]?.[to];
      if (any && covers(any.roles, cell.roles)) continue;
      const k = cellKey(cell.roles);
      const g = groups.get(k) ?? { roles: cell.roles, to: [] };
      g.to.push(to);
      groups.set(k, g);
    }
    for (const g of groups.values()) out.push(g.roles === null ? { from, to: g.to } : { from, to: g.to, roles: g.roles });
  }
  return out;
}

/** The grid with one cell switched on (anyone) or off. */
export function toggleCell(grid: Grid, from: string, to: string): Grid {
  const row = { ...(grid[from] ?? {}) };
  if (row[to]) delete row[to];
  else row[to] = { roles: null };
  return { ...grid, [from]: row };
}

/** The grid with a cell's roles set (both roles or none chosen: anyone). */
export function setCellRoles(grid: Grid, from: string, to: string, roles: readonly Role[]): Grid {
  const row = { ...(grid[from] ?? {}) };
  row[to] = { roles: roles.length === 0 ? null : normalRoles(roles) };
  return { ...grid, [from]: row };
}

/** Whether every move between different statuses is open to anyone (the same as no rule). */
export function isUnrestricted(statuses: readonly string[], grid: Grid): boolean {
  return statuses.every((from) => statuses.every((to) => from === to || effectiveCell(grid, from, to)?.roles === null));
}

/** The statuses a status can reach in the grid (for the "where can tickets go" hint). */
export function reachable(grid: Grid, from: string): string[] {
  return [...new Set([...Object.keys(grid[ANY] ?? {}), ...Object.keys(grid[from] ?? {})])].filter((to) => to !== from);
}
