// Contacts and organisations on the generated client: keyset pages, one lookup, a rename.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';

export type Contact = Schemas['ContactProfileRead'];
export type Organization = Schemas['OrganizationRead'];

/** `value` once it has stood still for `delay` ms (search boxes ask once the typing stops). */
export function useDebounced<T>(value: T, delay = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(t);
  }, [value, delay]);
  return settled;
}

export function useContacts(q: string, organization?: string) {
  return useInfiniteQuery({
    queryKey: ['contacts', q, organization ?? ''],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/contacts', {
          params: { query: { q: q || undefined, organization: organization || undefined, limit: 50, cursor: pageParam ?? undefined } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

export function useContact(id: string) {
  return useQuery({
    queryKey: ['contact', id],
    queryFn: () => unwrap(api.GET('/api/v1/contacts/{contact_id}', { params: { path: { contact_id: id } } })),
  });
}

export function useOrganizations(q: string) {
  return useInfiniteQuery({
    queryKey: ['organizations', q],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/organizations', { params: { query: { q: q || undefined, limit: 50, cursor: pageParam ?? undefined } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
}

/** Up to `limit` contacts matching what was typed, for the requester lookup. */
export async function lookupContacts(q: string, limit = 8): Promise<Contact[]> {
  const page = await unwrap(api.GET('/api/v1/contacts', { params: { query: { q, limit } } }));
  return page.items;
}
