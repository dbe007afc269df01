// The one way the app talks to the API: the client generated from openapi/openapi.json.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Ticket = Schemas['TicketRead'];
export type TicketUpdate = Schemas['TicketUpdate'];
export type TicketCreate = Schemas['TicketCreate'];
export type TicketStats = Schemas['TicketStats'];
export type Comment = Schemas['CommentRead'];
export type Activity = Schemas['ActivityRead'];
export type User = Schemas['UserRead'];
export type Team = Schemas['TeamRead'];
export type Label = Schemas['LabelRead'];
export type Status = Schemas['StatusRead'];
export type Me = Schemas['MeRead'];
export type Priority = Ticket['priority'];
export type TicketListQuery = NonNullable<paths['/api/v1/tickets']['get']['parameters']['query']>;

const TOKEN_KEY = 'ticketdesk.token';

let token: string | null = readToken();
let onExpired: () => void = () => {};

function readToken(): string | null {
  try {
    return globalThis.localStorage?.getItem(TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

export function getToken(): string | null {
  return token;
}

export function setToken(value: string | null): void {
  token = value;
  try {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* private mode: keep it in memory */
  }
}

/** Called when a request with a token answers 401: the session expired or was revoked. */
export function setExpiredHandler(fn: () => void): void {
  onExpired = fn;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has('Authorization')) onExpired();
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? '',
  // Late-bound so tests (and any polyfill) can replace the global fetch.
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(auth);

/** An RFC 9457 problem from the API, thrown by `unwrap`. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: { loc?: unknown[]; msg?: string }[];

  constructor(status: number, body: unknown) {
    const problem = (body ?? {}) as { title?: string; detail?: string; errors?: ApiError['errors'] };
    const detail = problem.detail ?? problem.title ?? `Request failed (${status})`;
    super(detail);
    this.status = status;
    this.title = problem.title ?? 'Error';
    this.detail = detail;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }

  /** One line a person can act on, including field errors. */
  describe(): string {
    if (!this.errors.length) return this.detail;
    return this.errors.map((e) => `${(e.loc ?? []).slice(-1).join('')}: ${e.msg ?? ''}`).join('; ');
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** Resolve an openapi-fetch call to its data or throw an ApiError. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) throw new ApiError(response.status, error);
  return data as T;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.describe();
  if (error instanceof Error) return error.message;
  return String(error);
}

export function ifMatch(ticket: Pick<Ticket, 'version'>): string {
  return `"${ticket.version}"`;
}
