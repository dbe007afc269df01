// The frame every report shares: a heading, its CSV download, and its loading, error and empty
// states; the chart is drawn for sighted users and the same numbers are a table beside it.
import { useState, type ReactNode } from 'react';
import { downloadReport, type ReportName, type ReportQuery } from '../../api/reports';
import { errorMessage } from '../../api/client';
import { EmptyState, ErrorState, Spinner } from '../../components/ui';

export interface CardProps {
  id: string;
  title: string;
  subtitle?: ReactNode;
  /** the report (and query) the CSV download fetches */
  csv?: { name: ReportName; query: ReportQuery };
  tools?: ReactNode;
  loading: boolean;
  error: unknown;
  retry?: () => void;
  empty: boolean;
  emptyText?: string;
  children: ReactNode;
  /** the numbers as a table, under "Show the numbers" */
  table?: ReactNode;
  wide?: boolean;
}

export function ReportCard(props: CardProps) {
  const [downloading, setDownloading] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const headingId = `${props.id}-title`;
  const download = async () => {
    if (!props.csv) return;
    setDownloading(true);
    setFailed(null);
    try {
      await downloadReport(props.csv.name, props.csv.query);
    } catch (error) {
      setFailed(errorMessage(error));
    } finally {
      setDownloading(false);
    }
  };
  return (
    <section className={props.wide ? 'card report-card wide' : 'card report-card'} aria-labelledby={headingId} data-report={props.id}>
      <div className="card-title-row">
        <div>
          <h2 id={headingId}>{props.title}</h2>
          {props.subtitle && <p className="muted small report-subtitle">{props.subtitle}</p>}
        </div>
        <div className="report-tools">
          {props.tools}
          {props.csv && (
            <button type="button" className="btn btn-small" onClick={() => void download()} disabled={downloading} aria-label={`Download ${props.title} as CSV`}>
              {downloading ? 'Downloading…' : 'CSV'}
            </button>
          )}
        </div>
      </div>
      {failed && (
        <p className="form-error" role="alert">
          CSV download failed: {failed}
        </p>
      )}
      {props.error ? (
        <ErrorState error={props.error} retry={props.retry} />
      ) : props.loading ? (
        <div className="report-body report-loading" aria-busy="true">
          <Spinner label={`Loading ${props.title.toLowerCase()}…`} />
        </div>
      ) : props.empty ? (
        <EmptyState title={props.emptyText ?? 'No tickets in this range.'}>Try a longer range or fewer filters.</EmptyState>
      ) : (
        <>
          <div className="report-body">{props.children}</div>
          {props.table && (
            <details className="report-table">
              <summary>Show the numbers</summary>
              <div className="table-scroll">{props.table}</div>
            </details>
          )}
        </>
      )}
    </section>
  );
}
