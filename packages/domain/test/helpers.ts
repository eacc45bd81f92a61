import { DomainError, type SyncLog } from '../src/index.js';

/** A pending sync log to start rules from. */
export const pendingLog: SyncLog = {
  id: '6f1c1f5e-8d3b-4c1a-9a8e-1f2e3d4c5b6a',
  organizationId: '11111111-1111-4111-8111-111111111111',
  accountingSystem: 'xledger',
  syncType: 'scheduled',
  status: 'pending',
  triggeredBy: null,
  periodStart: '2026-10-01T00:00:00.000Z',
  periodEnd: '2026-10-31T23:59:59.999Z',
  recordsTotal: 10,
  recordsSynced: 0,
  recordsFailed: 0,
  payloadSummary: null,
  errorDetails: null,
  externalReferenceId: null,
  startedAt: '2026-11-01T02:00:00.000Z',
  completedAt: null,
  createdAt: '2026-11-01T02:00:00.000Z',
};

export const details = {
  code: 'REJECTED',
  message: 'Rejected',
  category: 'validation' as const,
  retryable: false,
};

/** The DomainError `run` throws (fails the test when it throws nothing or something else). */
export function domainErrorOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}
