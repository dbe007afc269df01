// Attachments: multipart uploads (`POST /tickets/{t}/attachments`, or on a comment) and
// downloads (`GET /attachments/{id}`, fetched with the bearer token, then saved as the file).
import { ApiError, getToken, type Schemas } from './client';
import { saveBlob } from './export';

export type Attachment = Schemas['AttachmentRead'];

export function uploadUrl(ticketKey: string, commentId?: string): string {
  const base = `/api/v1/tickets/${encodeURIComponent(ticketKey)}`;
  return commentId ? `${base}/comments/${encodeURIComponent(commentId)}/attachments` : `${base}/attachments`;
}

function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export async function uploadAttachment(ticketKey: string, file: File, commentId?: string): Promise<Attachment> {
  const form = new FormData();
  form.append('file', file, file.name);
  const response = await globalThis.fetch(`${globalThis.location?.origin ?? ''}${uploadUrl(ticketKey, commentId)}`, {
    method: 'POST',
    headers: authHeaders(),
    body: form,
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body as Attachment;
}

export async function downloadAttachment(attachment: Pick<Attachment, 'id' | 'filename'>): Promise<void> {
  const response = await globalThis.fetch(`${globalThis.location?.origin ?? ''}/api/v1/attachments/${attachment.id}`, {
    headers: authHeaders(),
  });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  saveBlob(attachment.filename, await response.blob());
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
