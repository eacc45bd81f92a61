import { useInfiniteQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useState } from 'react';
import { ErrorMessage } from '../components/ErrorMessage';
import { HistoryFilters } from '../components/HistoryFilters';
import { HistoryTable } from '../components/HistoryTable';
import { download, toCsv } from '../lib/csv';
import { activeFilterCount, compact, type HistorySearch, toListInput } from '../lib/history-search';
import { useOrganizations } from '../lib/organizations';
import { useSignedIn } from '../lib/session-context';
import { useTRPC, useTRPCClient } from '../lib/trpc';

const route = getRouteApi('/signed-in/history');
const PAGE_SIZE = 50;
const CSV_PAGE = 200;
const CSV_MAX_ROWS = 20_000;

/** The sync log with every filter in the URL, cursor pagination ("Load more") and CSV download. */
export function HistoryPage() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const session = useSignedIn();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const organizations = useOrganizations();
  const names = new Map(organizations.list.map((o) => [o.id, o.name]));
  const zones = new Map(organizations.list.map((o) => [o.id, o.timeZone]));
  const input = toListInput(search, PAGE_SIZE);
  // Pages fetched by hand: tRPC's infiniteQueryOptions adds a `direction` key the strict API input refuses.
  const list = useInfiniteQuery({
    queryKey: [...trpc.syncLogs.list.queryKey(input), 'pages'],
    queryFn: ({ pageParam }) =>
      client.syncLogs.list.query({ ...input, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const csv = useHistoryCsv(search);

  const setSearch = (next: HistorySearch) => void navigate({ search: compact(next) });

  return (
    <>
      <div className="page-head">
        <h1>History</h1>
        <button
          type="button"
          className="button-secondary"
          onClick={() => void csv.download()}
          disabled={csv.busy}
        >
          {csv.busy ? 'Preparing CSV…' : 'Download CSV'}
        </button>
      </div>
      <HistoryFilters
        search={search}
        onChange={setSearch}
        {...(session.role === 'org_admin' ? {} : { organizations: organizations.list })}
      />
      {csv.error !== null && <ErrorMessage error={csv.error} />}
      {list.error && <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />}
      {list.isPending && <p className="muted">Loading history…</p>}
      {list.isSuccess && rows.length === 0 && (
        <div className="empty" role="status">
          {activeFilterCount(search) > 0 ? (
            <>
              <p>No syncs match these filters.</p>
              <button type="button" className="button-secondary" onClick={() => setSearch({})}>
                Clear filters
              </button>
            </>
          ) : (
            <p>No syncs recorded yet.</p>
          )}
        </div>
      )}
      {rows.length > 0 && (
        <>
          <p className="muted" role="status">
            Showing {rows.length} sync{rows.length === 1 ? '' : 's'}
            {list.hasNextPage ? ' (more available)' : ''}, newest first.
          </p>
          <HistoryTable rows={rows} names={names} zones={zones} />
        </>
      )}
      {list.hasNextPage && (
        <button
          type="button"
          className="button-secondary load-more"
          onClick={() => void list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
        >
          {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </>
  );
}

/** The whole filtered history as a CSV download, page by page up to a cap, with its busy and error states. */
function useHistoryCsv(search: HistorySearch) {
  const client = useTRPCClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function downloadCsv() {
    setError(null);
    setBusy(true);
    try {
      const all: Record<string, unknown>[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.syncLogs.list.query({
          ...toListInput(search, CSV_PAGE),
          ...(cursor ? { cursor } : {}),
        });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && all.length < CSV_MAX_ROWS);
      download(
        `sync-history-${new Date().toISOString().slice(0, 10)}.csv`,
        toCsv(all),
        'text/csv;charset=utf-8',
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return { download: downloadCsv, busy, error };
}
