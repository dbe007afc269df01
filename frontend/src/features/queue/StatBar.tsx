import type { Status, TicketStats } from '../../api/client';
import { statusTone } from '../../components/ui';
import { toggleListValue } from '../../lib/filters';

export function StatBar({
  stats,
  statuses,
  selected,
  onSelect,
}: {
  stats: TicketStats | undefined;
  statuses: Status[];
  selected: string | undefined;
  onSelect: (status: string | undefined) => void;
}) {
  const chosen = (selected ?? '').split(',').filter(Boolean);
  return (
    <div className="statbar" role="group" aria-label="Tickets by status">
      <button type="button" className={chosen.length === 0 ? 'stat active' : 'stat'} aria-pressed={chosen.length === 0} onClick={() => onSelect(undefined)}>
        <span className="stat-count">{stats?.total ?? '–'}</span>
        <span className="stat-label">All</span>
      </button>
      {statuses.map((status) => (
        <button
          key={status.name}
          type="button"
          className={`stat stat-${statusTone(status.name, status.category)}${chosen.includes(status.name) ? ' active' : ''}`}
          aria-pressed={chosen.includes(status.name)}
          title="Click to filter; shift-click to add to the filter"
          onClick={(event) =>
            onSelect(
              event.shiftKey
                ? toggleListValue(selected, status.name)
                : chosen.length === 1 && chosen[0] === status.name
                  ? undefined
                  : status.name,
            )
          }
        >
          <span className="stat-count">{stats ? (stats.by_status[status.name] ?? 0) : '–'}</span>
          <span className="stat-label">{status.label}</span>
        </button>
      ))}
    </div>
  );
}
