import { afterEach, describe, expect, it } from 'vitest';
import { toCsv } from '../src/lib/csv';
import { can } from '../src/lib/permissions';
import { decodeToken, loadSession, storeToken } from '../src/lib/session';

function token(claims: Record<string, unknown>): string {
  const part = (o: object) =>
    btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'HS256' })}.${part(claims)}.c2ln`;
}

afterEach(() => sessionStorage.clear());

describe('CSV download', () => {
  it('writes the CLI columns, quotes commas and neutralises spreadsheet formulas', () => {
    const csv = toCsv([
      {
        id: 'a',
        status: 'partial',
        recordsFailed: 2,
        externalReferenceId: '=HYPERLINK("x")',
        completedAt: null,
      },
      { id: 'b', status: 'success', recordsFailed: 0, externalReferenceId: 'JE-1,2' },
    ]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'id,organizationId,accountingSystem,syncType,status,triggeredBy,periodStart,periodEnd,recordsTotal,recordsSynced,recordsFailed,externalReferenceId,startedAt,completedAt,createdAt',
    );
    expect(lines[1]).toBe(`a,,,,partial,,,,,,2,"'=HYPERLINK(""x"")",,,`);
    expect(lines[2]).toBe('b,,,,success,,,,,,0,"JE-1,2",,,');
    expect(lines).toHaveLength(4);
  });
});

describe('the session', () => {
  it('reads role and organization from the token and keeps it in sessionStorage', () => {
    const t = token({ sub: 'u', role: 'org_admin', org: 'o', exp: 4_102_444_800 });
    expect(decodeToken(`Bearer ${t}`)).toMatchObject({ token: t, role: 'org_admin', organizationId: 'o' });
    storeToken(t);
    expect(loadSession()?.role).toBe('org_admin');
  });

  it('refuses malformed, role-less and expired tokens with a sentence', () => {
    expect(decodeToken('not a token')).toEqual({
      problem: 'This is not a bearer token: a token has three parts separated by dots.',
    });
    expect(decodeToken(token({ sub: 'u', role: 'root' }))).toHaveProperty('problem');
    expect(decodeToken(token({ sub: 'u', role: 'org_admin' }))).toHaveProperty('problem');
    expect(decodeToken(token({ sub: 'u', role: 'global_admin', exp: 1 }))).toEqual({
      problem: 'This token has expired. Ask for a new one.',
    });
    storeToken(token({ sub: 'u', role: 'global_admin', exp: 1 }));
    expect(loadSession()).toBeNull();
  });

  it('offers exports and re-syncs to admins only', () => {
    expect(can('org_admin', 'sync.export')).toBe(true);
    expect(can('global_admin', 'resync.start')).toBe(true);
    expect(can('service', 'sync.export')).toBe(false);
    expect(can('service', 'resync.start')).toBe(false);
    expect(can('service', 'audit.verify')).toBe(true);
  });
});
