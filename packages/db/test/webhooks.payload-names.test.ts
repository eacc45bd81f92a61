import type { SyncLog } from '@meander/domain';
import { describe, expect, it } from 'vitest';
import { syncEventPayload } from '../src/index.js';

const base: SyncLog = {
  id: '00000000-0000-4000-8000-000000000001',
  organizationId: '11111111-1111-4111-8111-111111111111',
  accountingSystem: 'xledger',
  syncType: 'scheduled',
  status: 'failed',
  triggeredBy: null,
  periodStart: '2026-11-01T00:00:00.000Z',
  periodEnd: '2026-12-01T00:00:00.000Z',
  recordsTotal: 2,
  recordsSynced: 0,
  recordsFailed: 2,
  payloadSummary: null,
  errorDetails: null,
  externalReferenceId: null,
  startedAt: '2026-12-01T01:00:00.000Z',
  completedAt: '2026-12-01T01:00:05.000Z',
  createdAt: '2026-12-01T01:00:00.000Z',
};

describe('webhook payloads name failures as the console and the CLI do', () => {
  it('uses the catalogue code and category, never the vendor code', () => {
    const log: SyncLog = {
      ...base,
      errorDetails: {
        code: 'BAD_API_TOKEN',
        message: 'bad format for api token',
        category: 'auth',
        retryable: false,
        catalogCode: 'CREDENTIALS_REJECTED',
        catalogCategory: 'auth',
      },
    };
    expect(syncEventPayload('sync.failed', log, base.completedAt ?? '').data.error).toEqual({
      code: 'CREDENTIALS_REJECTED',
      category: 'auth',
      retryable: false,
    });
  });

  it('maps the transport category of a record older than the catalogue to the catalogue’s categories', () => {
    const log: SyncLog = {
      ...base,
      status: 'partial',
      recordsSynced: 1,
      recordsFailed: 1,
      errorDetails: {
        code: 'HTTP_503',
        message: 'unavailable',
        category: 'unavailable',
        retryable: true,
        recordFailures: [{ recordId: 'r1', code: 'HTTP_503', reason: 'busy', category: 'rate_limit' }],
      },
    };
    const { data } = syncEventPayload('sync.partial', log, base.completedAt ?? '');
    expect(data.topReasons).toEqual([{ code: 'HTTP_503', category: 'transient', count: 1 }]);
    const failed = syncEventPayload('sync.failed', { ...log, status: 'failed' }, base.completedAt ?? '');
    expect(failed.data.error).toEqual({ code: 'HTTP_503', category: 'transient', retryable: true });
  });
});
