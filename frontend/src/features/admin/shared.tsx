// What every admin page shares: the page frame, the error line under a form, and a mutation
// that refreshes one query when it succeeds.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { errorMessage } from '../../api/client';

export function Page({ title, intro, children }: { title: string; intro: string; children: ReactNode }) {
  return (
    <div className="admin-page">
      <h1>{title}</h1>
      <p className="muted">{intro}</p>
      {children}
    </div>
  );
}

export function Failure({ error }: { error: unknown }) {
  return error ? (
    <p className="form-error" role="alert">
      {errorMessage(error)}
    </p>
  ) : null;
}

export function useAdminMutation<T>(fn: (arg: T) => Promise<unknown>, invalidate: string) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => void queryClient.invalidateQueries({ queryKey: [invalidate] }) });
}
