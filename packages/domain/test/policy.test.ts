import { describe, expect, it } from 'vitest';
import { ACTIONS, assertAllowed, authorize, authorizeDeletion, type Principal } from '../src/index.js';
import { domainErrorOf } from './helpers.js';

const own = '11111111-1111-4111-8111-111111111111';
const other = '22222222-2222-4222-8222-222222222222';
const orgAdmin: Principal = { role: 'org_admin', userId: 'u1', organizationId: own };
const globalAdmin: Principal = { role: 'global_admin', userId: 'u2' };
const auditService: Principal = { role: 'global_admin', userId: 'u3', via: 'audit-log-service' };
const service: Principal = { role: 'service', userId: 'u4' };

describe('org_admin_cannot_delete and the access policy', () => {
  it('lets only a global admin acting through the audit-log service delete', () => {
    expect(authorizeDeletion(auditService)).toEqual({ allowed: true });
    for (const p of [orgAdmin, globalAdmin, service, { ...orgAdmin, via: 'audit-log-service' }]) {
      expect(authorizeDeletion(p).allowed).toBe(false);
    }
    const error = domainErrorOf(() => assertAllowed(orgAdmin, 'syncLog.delete'));
    expect(error).toMatchObject({ code: 'FORBIDDEN', issues: [{ rule: 'org_admin_cannot_delete' }] });
  });

  it('keeps org admins inside their own organization for every action', () => {
    for (const action of ACTIONS) {
      expect(authorize(orgAdmin, action, other).allowed).toBe(false);
    }
    expect(authorize(orgAdmin, 'syncLog.read', own)).toEqual({ allowed: true });
    expect(authorize(orgAdmin, 'sync.export', own)).toEqual({ allowed: true });
  });

  it('gives services the recording API and admins the exports', () => {
    expect(authorize(service, 'syncLog.record').allowed).toBe(true);
    expect(authorize(globalAdmin, 'syncLog.record').allowed).toBe(false);
    expect(authorize(orgAdmin, 'syncLog.record', own).allowed).toBe(false);
    expect(authorize(service, 'sync.export').allowed).toBe(false);
    expect(authorize(service, 'sync.push').allowed).toBe(true);
    expect(authorize(orgAdmin, 'organization.manage', own).allowed).toBe(false);
    expect(authorize(globalAdmin, 'organization.manage').allowed).toBe(true);
  });

  it('lets only services hand expense records over, and only admins read them', () => {
    expect(authorize(service, 'expenseRecord.write').allowed).toBe(true);
    expect(authorize(globalAdmin, 'expenseRecord.write').allowed).toBe(false);
    expect(authorize(orgAdmin, 'expenseRecord.write', own).allowed).toBe(false);
    expect(authorize(orgAdmin, 'expenseRecord.read', own).allowed).toBe(true);
    expect(authorize(globalAdmin, 'expenseRecord.read').allowed).toBe(true);
    expect(authorize(service, 'expenseRecord.read').allowed).toBe(false);
  });
});
