import { describe, expect, it } from 'vitest';
import { planComplete, planCreate, planFail, planProgress, planStart } from '../src/index.js';
import { details, domainErrorOf, pendingLog } from './helpers.js';

const command = {
  organizationId: pendingLog.organizationId,
  accountingSystem: 'xledger' as const,
  syncType: 'manual' as const,
  triggeredBy: '0b9e8f8e-7c1e-4b5a-9d3f-1a2b3c4d5e6f',
  periodStart: pendingLog.periodStart,
  periodEnd: pendingLog.periodEnd,
  recordsTotal: 10,
};
const context = {
  id: pendingLog.id,
  now: '2026-11-01T02:00:00.000Z',
  organization: { id: pendingLog.organizationId },
  accountingModule: { enabled: true, config: { accountingSystem: 'xledger' as const } },
  activeSync: null,
};

describe('the lifecycle decisions', () => {
  it('plans a pending row with every field', () => {
    expect(planCreate(command, context).syncLog).toEqual({
      ...pendingLog,
      syncType: 'manual',
      triggeredBy: command.triggeredBy,
    });
  });

  it('checks input first, then the organization, the module, the system, the active sync', () => {
    expect(
      domainErrorOf(() => planCreate({ ...command, recordsTotal: -1 }, { ...context, organization: null }))
        .code,
    ).toBe('VALIDATION_FAILED');
    expect(domainErrorOf(() => planCreate(command, { ...context, organization: null })).code).toBe(
      'ORGANIZATION_NOT_FOUND',
    );
    expect(
      domainErrorOf(() =>
        planCreate(command, { ...context, accountingModule: { enabled: false, config: null } }),
      ).code,
    ).toBe('ACCOUNTING_MODULE_DISABLED');
    expect(
      domainErrorOf(() => planCreate({ ...command, accountingSystem: 'dynamics' }, context)).issues[0]?.path,
    ).toEqual(['accountingSystem']);
    expect(
      domainErrorOf(() => planCreate(command, { ...context, activeSync: { id: 'x', status: 'pending' } }))
        .code,
    ).toBe('SYNC_ALREADY_ACTIVE');
    expect(
      domainErrorOf(() => planCreate({ ...command, triggeredBy: null }, context)).issues[0]?.path,
    ).toEqual(['triggeredBy']);
    expect(
      domainErrorOf(() => planCreate({ ...command, syncType: 'scheduled' }, context)).issues[0]?.path,
    ).toEqual(['triggeredBy']);
  });

  it('starts, reports progress and completes with warnings kept in errorDetails', () => {
    const running = planStart(pendingLog, '2026-11-01T02:00:05.000Z').syncLog;
    expect(running).toMatchObject({ status: 'in_progress', startedAt: '2026-11-01T02:00:05.000Z' });
    expect(planProgress(running, { recordsSynced: 4, recordsFailed: 1 }).syncLog).toMatchObject({
      recordsSynced: 4,
      recordsFailed: 1,
    });
    const done = planComplete(
      running,
      { recordsSynced: 10, recordsFailed: 0, externalReferenceId: 'JE-1' },
      '2026-11-01T02:01:00.000Z',
    );
    expect(done.syncLog).toMatchObject({
      status: 'success',
      completedAt: '2026-11-01T02:01:00.000Z',
      externalReferenceId: 'JE-1',
    });
    expect(done.warnings).toEqual([
      expect.objectContaining({ rule: 'external_reference_id_format', severity: 'warning' }),
    ]);
    expect(done.syncLog.errorDetails).toMatchObject({
      code: 'COMPLETED_WITH_WARNINGS',
      warnings: [{ rule: 'external_reference_id_format' }],
    });
  });

  it('refuses completing a pending sync, and completing before it started', () => {
    expect(
      domainErrorOf(() => planComplete(pendingLog, { recordsSynced: 10, recordsFailed: 0 }, context.now))
        .code,
    ).toBe('INVALID_STATUS_TRANSITION');
    const running = planStart(pendingLog, '2026-11-01T02:00:05.000Z').syncLog;
    expect(
      domainErrorOf(() =>
        planComplete(running, { recordsSynced: 10, recordsFailed: 0 }, '2026-11-01T02:00:04.000Z'),
      ).issues[0]?.rule,
    ).toBe('completed_at_after_started_at');
  });

  it('fails pending and running syncs, with details, and nothing terminal', () => {
    expect(planFail(pendingLog, { errorDetails: details }, '2026-11-01T03:00:00.000Z').syncLog).toMatchObject(
      { status: 'failed', errorDetails: details },
    );
    const failed = planFail(pendingLog, { errorDetails: details }, '2026-11-01T03:00:00.000Z').syncLog;
    expect(domainErrorOf(() => planFail(failed, { errorDetails: details }, context.now)).code).toBe(
      'RECORD_IMMUTABLE',
    );
    expect(domainErrorOf(() => planProgress(failed, { recordsSynced: 1, recordsFailed: 0 })).code).toBe(
      'RECORD_IMMUTABLE',
    );
  });
});
