// What every admin page shares: the page frame, sub-sections as tabs in the URL, the error
// line under a form, and a mutation that refreshes one query when it succeeds.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';
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

/** Sections of one admin page as links (`?tab=`), so each has its own address. */
export function useSection<T extends string>(sections: readonly { key: T; label: string }[]): [T, ReactNode] {
  const [params, setParams] = useSearchParams();
  const wanted = params.get('tab');
  const current = sections.find((s) => s.key === wanted)?.key ?? sections[0]!.key;
  const nav = (
    <nav className="subnav" aria-label="Sections">
      {sections.map((s) => (
        <a
          key={s.key}
          href={`?tab=${s.key}`}
          aria-current={s.key === current ? 'page' : undefined}
          className={s.key === current ? 'subnav-link active' : 'subnav-link'}
          onClick={(e) => {
            e.preventDefault();
            setParams(s.key === sections[0]!.key ? {} : { tab: s.key });
          }}
        >
          {s.label}
        </a>
      ))}
    </nav>
  );
  return [current, nav];
}
