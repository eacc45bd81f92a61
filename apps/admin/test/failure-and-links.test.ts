import { describe, expect, it } from 'vitest';
import { firstErrorReason } from '../src/components/HistoryTable';
import { failureHeadline, failureName } from '../src/lib/failure';
import { childrenOf, type LinkedSync, linkIndex, resolvedBy } from '../src/lib/resync-links';
import { userLabel } from '../src/lib/users';

describe('failureName', () => {
  it('heads with the catalogue code and category, the ledger code beside', () => {
    const details = {
      code: 'BAD_API_TOKEN',
      category: 'auth',
      catalogCode: 'CREDENTIALS_REJECTED',
      catalogCategory: 'auth',
    };
    expect(failureName(details)).toEqual({
      code: 'CREDENTIALS_REJECTED',
      category: 'auth',
      vendorCode: 'BAD_API_TOKEN',
    });
    expect(failureHeadline(details)).toBe('CREDENTIALS_REJECTED (auth)');
  });

  it('names a record older than the catalogue by its raw code and the mapped category', () => {
    expect(failureName({ code: 'HTTP_503', category: 'unavailable' })).toEqual({
      code: 'HTTP_503',
      category: 'transient',
      vendorCode: null,
    });
    expect(failureName({ code: 'X' }).category).toBe('unclassified');
  });

  it('gives a history row its first reason by catalogue code', () => {
    expect(
      firstErrorReason({
        status: 'partial',
        errorDetails: {
          code: 'PARTIAL',
          message: '2 rejected',
          recordFailures: [
            {
              code: 'Closed',
              reason: 'Account 7140 is closed',
              catalogCode: 'ACCOUNT_CLOSED',
              catalogCategory: 'master_data',
            },
          ],
        },
      }),
    ).toBe('ACCOUNT_CLOSED (master_data): Account 7140 is closed');
    expect(firstErrorReason({ status: 'success', errorDetails: null })).toBe('');
  });
});

const sync = (over: Partial<LinkedSync> & { id: string }): LinkedSync => ({
  organizationId: 'o',
  accountingSystem: 'dynamics',
  status: 'success',
  periodStart: '2026-11-01T00:00:00.000Z',
  periodEnd: '2026-12-01T00:00:00.000Z',
  startedAt: '2026-12-02T10:00:00.000Z',
  payloadSummary: null,
  ...over,
});

describe('re-sync links', () => {
  const partial = sync({ id: 'p', status: 'partial', startedAt: '2026-12-02T10:00:00.000Z' });
  const failedChild = sync({
    id: 'c1',
    status: 'failed',
    startedAt: '2026-12-02T11:00:00.000Z',
    payloadSummary: { parentSyncId: 'p' },
  });
  const fixingChild = sync({
    id: 'c2',
    startedAt: '2026-12-02T12:00:00.000Z',
    payloadSummary: { parentSyncId: 'p' },
  });

  it('finds the re-syncs of a sync and the one that resolved it', () => {
    expect(childrenOf(partial, [fixingChild, partial, failedChild]).map((s) => s.id)).toEqual(['c1', 'c2']);
    expect(resolvedBy(partial, [partial, failedChild])).toBeNull();
    expect(resolvedBy(partial, [partial, failedChild, fixingChild])?.id).toBe('c2');
  });

  it('counts a later whole-period success of the same period, never an earlier one or another system', () => {
    const earlier = sync({ id: 'e', startedAt: '2026-12-01T10:00:00.000Z' });
    const otherSystem = sync({ id: 'x', accountingSystem: 'xledger', startedAt: '2026-12-03T10:00:00.000Z' });
    expect(resolvedBy(partial, [earlier, otherSystem])).toBeNull();
    const later = sync({ id: 'l', startedAt: '2026-12-03T10:00:00.000Z' });
    expect(resolvedBy(partial, [earlier, later])?.id).toBe('l');
    expect(resolvedBy(later, [partial])).toBeNull();
  });

  it('indexes a history page both ways', () => {
    const links = linkIndex([fixingChild, failedChild, partial]);
    expect(links.get('p')).toEqual({ children: ['c1', 'c2'], resolvedBy: 'c2' });
    expect(links.get('c1')).toEqual({ children: [], resolvedBy: null });
  });
});

describe('userLabel', () => {
  it('uses the token’s display name for its own user, else a short id', () => {
    const session = { userId: '0a0a0a0a-0000-4000-8000-000000000002', name: 'Mari Solberg' };
    expect(userLabel('0a0a0a0a-0000-4000-8000-000000000002', session)).toBe('Mari Solberg');
    expect(userLabel('0b0b0b0b-0000-4000-8000-000000000009', session)).toBe('user 0b0b0b0b…0009');
    expect(userLabel('0a0a0a0a-0000-4000-8000-000000000002', { ...session, name: null })).toBe(
      'user 0a0a0a0a…0002',
    );
  });
});
