/**
 * The history table with N rows, mounted from scratch several times in the browser: how long React
 * takes to commit it and whether any task blocks the main thread for more than 50 ms (a "long task",
 * the browser's definition of jank). Driven by console-bench.ts in headless Chromium.
 */
import {
  createMemoryHistory,
  createRootRoute,
  createRouter,
  Link,
  RouterProvider,
} from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { type HistoryRow, HistoryTable } from '../src/components/HistoryTable';
import '../src/styles.css';

const STATUSES = ['success', 'partial', 'failed', 'success', 'in_progress'];
const names = new Map([
  ['11111111-1111-4111-8111-111111111111', 'Nordlys AS'],
  ['22222222-2222-4222-8222-222222222222', 'Fjordvik Consulting'],
]);

function rows(n: number): HistoryRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    organizationId: i % 2 ? '11111111-1111-4111-8111-111111111111' : '22222222-2222-4222-8222-222222222222',
    accountingSystem: i % 2 ? 'xledger' : 'dynamics',
    syncType: i % 3 ? 'scheduled' : 'manual',
    status: STATUSES[i % STATUSES.length] as string,
    periodStart: '2026-10-01T00:00:00.000Z',
    periodEnd: '2026-10-31T23:59:59.999Z',
    recordsTotal: 300,
    recordsSynced: 290,
    recordsFailed: 10,
    startedAt: new Date(Date.UTC(2026, 10, 26) - i * 3_600_000).toISOString(),
  }));
}

/** The baseline measured in the same run: the same rows with a router `<Link>` in each (the first version). */
function LinkRows({ data }: { data: HistoryRow[] }): ReactNode {
  return (
    <table>
      <tbody>
        {data.map((row) => (
          <tr key={row.id}>
            <td>
              <Link to="/" search={{ id: row.id }}>
                {row.startedAt}
              </Link>
            </td>
            <td>{names.get(row.organizationId)}</td>
            <td>{row.accountingSystem}</td>
            <td>{row.syncType}</td>
            <td>{row.status}</td>
            <td>{row.periodStart}</td>
            <td>
              {row.recordsSynced} / {row.recordsFailed} / {row.recordsTotal}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const longTasks: number[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longTasks.push(entry.duration);
}).observe({ type: 'longtask', buffered: true });

const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));

async function run(n: number, iterations: number, variant: 'table' | 'links' = 'table') {
  const data = rows(n);
  const commitMs: number[] = [];
  const paintMs: number[] = [];
  let longTaskCount = 0;
  for (let i = 0; i < iterations; i++) {
    const container = document.getElementById('root') as HTMLElement;
    const root = createRoot(container);
    const rootRoute = createRootRoute({
      component: () =>
        variant === 'table' ? <HistoryTable rows={data} names={names} /> : <LinkRows data={data} />,
    });
    const router = createRouter({
      routeTree: rootRoute,
      history: createMemoryHistory({ initialEntries: ['/'] }),
    });
    await router.load();
    await frame();
    longTasks.length = 0;
    const start = performance.now();
    flushSync(() => root.render(<RouterProvider router={router} />));
    commitMs.push(performance.now() - start);
    await frame();
    paintMs.push(performance.now() - start);
    if (container.querySelectorAll('tbody tr').length !== n) throw new Error('rows missing');
    longTaskCount += longTasks.filter((d) => d > 50).length;
    root.unmount();
    await frame();
  }
  return { variant, rows: n, iterations, commitMs, paintMs, longTasksOver50ms: longTaskCount };
}

(window as unknown as { runBench: typeof run }).runBench = run;
document.title = 'ready';
