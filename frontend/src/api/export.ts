// CSV export through `GET /tickets/export.csv` with the queue's filters: fetched with the
// bearer token (a plain link could not carry it), then saved as a file.
import { ApiError, getToken, type TicketListQuery } from './client';

/** The export URL for a list query (paging parameters dropped). */
export function exportUrl(query: TicketListQuery, origin = globalThis.location?.origin ?? ''): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key === 'limit' || key === 'cursor' || value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const search = params.toString();
  return `${origin}/api/v1/tickets/export.csv${search ? `?${search}` : ''}`;
}

export async function fetchExport(query: TicketListQuery): Promise<Blob> {
  const token = getToken();
  const response = await globalThis.fetch(exportUrl(query), {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  return response.blob();
}

export function saveBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export async function downloadExport(query: TicketListQuery): Promise<void> {
  saveBlob(`tickets-${new Date().toISOString().slice(0, 10)}.csv`, await fetchExport(query));
}
