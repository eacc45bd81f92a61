import {
  createMemoryHistory,
  createRootRoute,
  createRoute,
  createRouter,
  RouterProvider,
  useNavigate,
  useSearch,
} from '@tanstack/react-router';
import { act, cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryFilters } from '../src/components/HistoryFilters';
import { compact, type HistorySearch, parseHistorySearch, toListInput } from '../src/lib/history-search';

afterEach(cleanup);

const ORG = '22222222-2222-4222-8222-222222222222';
const USER = '0a0a0a0a-0000-4000-8000-000000000002';

describe('history filters in the URL', () => {
  it('reads every filter from the URL and drops malformed ones', () => {
    expect(
      parseHistorySearch({
        organizationId: ORG.toUpperCase(),
        status: 'partial',
        accountingSystem: 'dynamics',
        syncType: 'manual',
        triggeredBy: USER,
        periodFrom: '2026-10-01',
        periodTo: '2026-10-31',
        startedAfter: '2026-11-01',
        startedBefore: '2026-11-30',
        cursor: 'ignored',
      }),
    ).toEqual({
      organizationId: ORG,
      status: 'partial',
      accountingSystem: 'dynamics',
      syncType: 'manual',
      triggeredBy: USER,
      periodFrom: '2026-10-01',
      periodTo: '2026-10-31',
      startedAfter: '2026-11-01',
      startedBefore: '2026-11-30',
    });
    expect(
      parseHistorySearch({
        status: 'exploded',
        organizationId: 'nope',
        periodFrom: '2026-13-45',
        syncType: 3,
      }),
    ).toEqual({});
  });

  it('turns dates into whole UTC days for syncLogs.list', () => {
    expect(toListInput({ periodFrom: '2026-10-01', periodTo: '2026-10-31', status: 'failed' }, 200)).toEqual({
      status: 'failed',
      periodFrom: '2026-10-01T00:00:00.000Z',
      periodTo: '2026-10-31T23:59:59.999Z',
      limit: 200,
    });
    expect(toListInput({ startedAfter: '2026-11-01', startedBefore: '2026-11-02' })).toMatchObject({
      startedAfter: '2026-11-01T00:00:00.000Z',
      startedBefore: '2026-11-02T23:59:59.999Z',
      limit: 50,
    });
  });

  function mount(url: string) {
    const root = createRootRoute();
    const history = createRoute({
      getParentRoute: () => root,
      path: '/history',
      validateSearch: parseHistorySearch,
      component: function Page() {
        // Not strict: this stand-in router is not the app's registered one.
        const search = useSearch({ strict: false }) as HistorySearch;
        const navigate = useNavigate();
        return (
          <HistoryFilters
            search={search}
            onChange={(next: HistorySearch) => void navigate({ to: '/history', search: compact(next) })}
            organizations={[{ id: ORG, name: 'Fjordvik Consulting' }]}
          />
        );
      },
    });
    const memory = createMemoryHistory({ initialEntries: [url] });
    const router = createRouter({ routeTree: root.addChildren([history]), history: memory });
    render(<RouterProvider router={router} />);
    return { router, memory };
  }

  it('shows the URL filters in the controls, writes changes back, and the back button undoes them', async () => {
    const { router, memory } = mount(`/history?organizationId=${ORG}&status=partial&periodFrom=2026-10-01`);
    const status = (await screen.findByLabelText('Status')) as HTMLSelectElement;
    expect(status.value).toBe('partial');
    expect((screen.getByLabelText('Organization') as HTMLSelectElement).value).toBe(ORG);
    expect((screen.getByLabelText('Period from') as HTMLInputElement).value).toBe('2026-10-01');
    // The button counts the three filters (getByRole finds it by that name) and offers to clear them.
    expect((screen.getByRole('button', { name: 'Clear filters (3)' }) as HTMLButtonElement).disabled).toBe(
      false,
    );

    await userEvent.selectOptions(screen.getByLabelText('Sync type'), 'manual');
    await userEvent.selectOptions(status, '');
    expect(router.state.location.search).toEqual({
      organizationId: ORG,
      periodFrom: '2026-10-01',
      syncType: 'manual',
    });

    await act(async () => {
      memory.back();
    });
    await screen.findByDisplayValue('Partial');
    expect(router.state.location.search).toMatchObject({ status: 'partial', syncType: 'manual' });

    await userEvent.click(screen.getByRole('button', { name: /Clear filters/ }));
    expect(router.state.location.search).toEqual({});
    expect((screen.getByLabelText('Status') as HTMLSelectElement).value).toBe('');
  });

  it('applies a triggered-by user id only once it is a whole UUID', async () => {
    const { router } = mount('/history');
    const input = await screen.findByLabelText('Triggered by (user id)');
    await userEvent.type(input, USER.slice(0, 10));
    expect(router.state.location.search).toEqual({});
    await userEvent.type(input, USER.slice(10));
    expect(router.state.location.search).toEqual({ triggeredBy: USER });
  });
});
