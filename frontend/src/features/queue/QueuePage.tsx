import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, errorMessage, unwrap, type Ticket } from '../../api/client';
import { patchTicket, useStatuses } from '../../api/queries';
import { downloadExport } from '../../api/export';
import { useMe } from '../../auth/session';
import { ErrorState } from '../../components/ui';
import { useLivePollInterval } from '../../live/live';
import { activeFilterCount, filtersToQuery, filtersToSearch, parseFilters, type Filters } from '../../lib/filters';
import { BulkBar, BulkOutcome, type BulkReport } from './BulkBar';
import { ColumnPicker, useFieldColumns } from './CustomFieldFilters';
import { FilterBar, useFilterOptions } from './FilterBar';
import { SaveViewDialog } from './SaveViewDialog';
import { StatBar } from './StatBar';
import { TicketTable } from './TicketTable';

export function QueuePage() {
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseFilters(params), [params]);
  const query = useMemo(() => filtersToQuery(filters), [filters]);
  const poll = useLivePollInterval();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const statuses = useStatuses();
  const searchRef = useRef<HTMLInputElement>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [cursorIndex, setCursorIndex] = useState(0);
  const [flash, setFlash] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [report, setReport] = useState<BulkReport | null>(null);
  const options = useFilterOptions();
  const fieldColumns = useFieldColumns();

  const setFilters = useCallback(
    (next: Filters) => {
      setParams(new URLSearchParams(filtersToSearch(next)));
      setSelected(new Set());
      setAllMatching(false);
      setCursorIndex(0);
      setReport(null);
    },
    [setParams],
  );

  const list = useInfiniteQuery({
    queryKey: ['tickets', query],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/tickets', { params: { query: { ...query, limit: 50, cursor: pageParam ?? undefined } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    refetchInterval: poll,
  });
  const { status: _status, ...statsQuery } = query;
  const stats = useQuery({
    queryKey: ['stats', statsQuery],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/stats', { params: { query: statsQuery } })),
    refetchInterval: poll,
  });
  const total = useQuery({
    queryKey: ['stats', query],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/stats', { params: { query } })),
    refetchInterval: poll,
  });

  const tickets = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  // The selection is of listed tickets only: one that leaves the list (a bulk change, a live
  // update, another agent) leaves the selection too.
  const [listed, setListed] = useState(tickets);
  if (listed !== tickets) {
    setListed(tickets);
    const keys = new Set(tickets.map((t) => t.key));
    if ([...selected].some((k) => !keys.has(k))) setSelected(new Set([...selected].filter((k) => keys.has(k))));
  }
  const statusLabels = useMemo(
    () => Object.fromEntries((statuses.data ?? []).map((s) => [s.name, s.label])),
    [statuses.data],
  );

  const assignToMe = useCallback(
    async (ticket: Ticket) => {
      if (!me.userId || !me.canWrite) return;
      try {
        await patchTicket(ticket, { assignee_id: me.userId });
        setFlash(`${ticket.key} assigned to you.`);
      } catch (error) {
        setFlash(`${ticket.key}: ${errorMessage(error)}`);
      }
      void queryClient.invalidateQueries({ queryKey: ['tickets'] });
      void queryClient.invalidateQueries({ queryKey: ['stats'] });
    },
    [me.userId, me.canWrite, queryClient],
  );

  // Keyboard: j/k move, enter opens, x selects, a assigns to me, / searches.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target && (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable)) return;
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      if (document.querySelector('[aria-modal="true"], .chip-editor, [role="menu"]')) return; // a dialog or menu has the keys
      const current = tickets[cursorIndex];
      if (event.key === 'j') setCursorIndex((i) => Math.min(i + 1, Math.max(tickets.length - 1, 0)));
      else if (event.key === 'k') setCursorIndex((i) => Math.max(i - 1, 0));
      else if (event.key === 'Enter' && current && target?.tagName !== 'BUTTON' && target?.tagName !== 'A') void navigate(`/tickets/${current.key}`);
      else if (event.key === 'a' && current) void assignToMe(current);
      else if (event.key === 'x' && current) {
        setSelected((prev) => {
          const next = new Set(prev);
          if (next.has(current.key)) next.delete(current.key);
          else next.add(current.key);
          return next;
        });
      } else if (event.key === '/') searchRef.current?.focus();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [tickets, cursorIndex, navigate, assignToMe]);

  const [exporting, setExporting] = useState(false);
  const exportCsv = async () => {
    setExporting(true);
    try {
      await downloadExport(query);
    } catch (error) {
      setFlash(`Export failed: ${errorMessage(error)}`);
    } finally {
      setExporting(false);
    }
  };

  return (
    <div className="queue">
      <div className="page-header">
        <h1>Tickets</h1>
        <div className="page-actions">
          <span className="muted" aria-live="polite">
            {total.data ? `${total.data.total} matching` : ''}
          </span>
          <button type="button" className="btn" onClick={() => void exportCsv()} disabled={exporting} title="Every matching ticket as CSV">
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
          <button type="button" className="btn" onClick={() => setSaving(true)} disabled={activeFilterCount(filters) === 0} aria-haspopup="dialog">
            Save view
          </button>
        </div>
      </div>
      <StatBar
        stats={stats.data}
        statuses={statuses.data ?? []}
        selected={filters.status}
        onSelect={(status) => setFilters({ ...filters, status })}
      />
      <FilterBar filters={filters} onChange={setFilters} searchRef={searchRef} extra={<ColumnPicker fields={fieldColumns[0]} chosen={fieldColumns[1]} onChange={fieldColumns[2]} />} />
      {flash && (
        <div className="flash" role="status">
          {flash}
          <button type="button" className="btn-link" onClick={() => setFlash(null)}>
            Dismiss
          </button>
        </div>
      )}
      {saving && (
        <SaveViewDialog
          filters={filters}
          suggested={suggestName(filters, statusLabels)}
          name={(key, value) => options(key).find((o) => o.value === value)?.label ?? value}
          onClose={() => setSaving(false)}
          onSaved={(view) => {
            setSaving(false);
            setFlash(`Saved view “${view.name}”${view.pinned ? ' in the sidebar' : ''}.`);
          }}
        />
      )}
      {report && <BulkOutcome report={report} onDismiss={() => setReport(null)} />}
      {me.canWrite && (selected.size > 0 || allMatching) && (
        <BulkBar
          selected={selected}
          allMatching={allMatching}
          matchingTotal={total.data?.total ?? 0}
          query={query}
          visibleCount={tickets.length}
          onSelectAllMatching={() => setAllMatching(true)}
          onClear={() => {
            setSelected(new Set());
            setAllMatching(false);
          }}
          onDone={(done) => {
            setReport(done);
            setAllMatching(false);
          }}
          tickets={tickets}
        />
      )}
      {list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : (
        <TicketTable
          fieldColumns={fieldColumns[1]}
          tickets={tickets}
          loading={list.isPending}
          statusLabels={statusLabels}
          selected={selected}
          allSelected={allMatching}
          onToggle={(key) =>
            setSelected((prev) => {
              const next = new Set(prev);
              if (next.has(key)) next.delete(key);
              else next.add(key);
              return next;
            })
          }
          onToggleAll={(on) => {
            setSelected(on ? new Set(tickets.map((t) => t.key)) : new Set());
            if (!on) setAllMatching(false);
          }}
          cursorIndex={cursorIndex}
          onCursor={setCursorIndex}
          hasMore={!!list.hasNextPage}
          loadingMore={list.isFetchingNextPage}
          loadMore={() => void list.fetchNextPage()}
          filtered={activeFilterCount(filters) > 0}
          onClearFilters={() => setFilters({})}
          selectable={me.canWrite}
        />
      )}
      <p className="shortcuts muted">
        Shortcuts: <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>x</kbd> select · <kbd>a</kbd> assign to me ·{' '}
        <kbd>/</kbd> search
      </p>
    </div>
  );
}

function suggestName(filters: Filters, statusLabels: Record<string, string>): string {
  const parts: string[] = [];
  if (filters.assignee === 'me') parts.push('Mine');
  if (filters.assignee === 'none') parts.push('Unassigned');
  if (filters.watching === 'me') parts.push('Watching');
  if (filters.priority) parts.push(filters.priority);
  if (filters.status) parts.push(filters.status.split(',').map((s) => statusLabels[s] ?? s).join('/'));
  if (filters.label) parts.push(`#${filters.label}`);
  if (filters.sla) parts.push(filters.sla.replace(/_/g, ' '));
  if (filters.q) parts.push(`“${filters.q}”`);
  return parts.join(' · ') || 'My view';
}
