import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { downloadAttachment, formatSize, uploadAttachment, type Attachment } from '../../api/attachments';
import { api, errorMessage, unwrap, type Ticket } from '../../api/client';
import { useMe } from '../../auth/session';

export function AttachmentList({ items }: { items: Pick<Attachment, 'id' | 'filename' | 'size'>[] }) {
  const [error, setError] = useState<string | null>(null);
  if (items.length === 0) return null;
  return (
    <ul className="attachment-list" aria-label="Attachments">
      {items.map((a) => (
        <li key={a.id}>
          <button type="button" className="btn-link" onClick={() => void downloadAttachment(a).catch((e: unknown) => setError(errorMessage(e)))}>
            {a.filename}
          </button>{' '}
          <span className="muted">{formatSize(a.size)}</span>
        </li>
      ))}
      {error && <li className="form-error">{error}</li>}
    </ul>
  );
}

/** The ticket's files (its own and its comments'), with an upload button. */
export function TicketAttachments({ ticket }: { ticket: Ticket }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const list = useQuery({
    queryKey: ['attachments', ticket.key],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/{ticket}/attachments', { params: { path: { ticket: ticket.key } } })),
  });
  const upload = useMutation({
    mutationFn: async (files: File[]) => {
      for (const file of files) await uploadAttachment(ticket.key, file);
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['attachments', ticket.key] });
      if (input.current) input.current.value = '';
    },
  });
  return (
    <section className="card" aria-label="Files">
      <div className="card-title-row">
        <h2>Files</h2>
        {me.canWrite && (
          <label className="btn btn-small">
            {upload.isPending ? 'Uploading…' : 'Attach file'}
            <input
              ref={input}
              type="file"
              multiple
              className="sr-only"
              aria-label="Attach file to ticket"
              onChange={(e) => e.target.files?.length && upload.mutate([...e.target.files])}
            />
          </label>
        )}
      </div>
      {(list.data ?? []).length === 0 && <p className="muted">No files.</p>}
      <AttachmentList items={list.data ?? []} />
      {upload.isError && <p className="form-error">{errorMessage(upload.error)}</p>}
    </section>
  );
}
