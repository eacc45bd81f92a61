import { DomainError, listSyncLogsQuerySchema } from '@meander/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseListQuery } from '../src/store/list-input.js';

/** What the schema itself makes of an input: its output, or the typed error's code and issues. */
function bySchema(input: unknown) {
  const result = listSyncLogsQuerySchema.safeParse(input);
  return result.success ? { ok: result.data } : { error: 'VALIDATION_FAILED' };
}

function byStore(input: unknown) {
  try {
    return { ok: parseListQuery(input) };
  } catch (error) {
    if (error instanceof DomainError) return { error: error.code };
    throw error;
  }
}

const UUIDS = [
  '0d6f3f0e-8c1a-4d3e-9b7a-1f2e3d4c5b6a',
  '0D6F3F0E-8C1A-4D3E-9B7A-1F2E3D4C5B6A',
  '0d6f3f0e-8c1a-0d3e-9b7a-1f2e3d4c5b6a', // version 0: not a UUID the schema accepts
  '0d6f3f0e-8c1a-4d3e-1b7a-1f2e3d4c5b6a', // wrong variant
  '00000000-0000-0000-0000-000000000000',
  'not-a-uuid',
  '',
];
const DATETIMES = [
  '2025-03-01T00:00:00.000Z',
  '2024-02-29T23:59:59.999Z',
  '2025-02-29T00:00:00.000Z', // no such day
  '2025-02-30T00:00:00.000Z',
  '2025-03-01T00:00:00Z',
  '2025-03-01T01:00:00.000+01:00',
  '2025-03-01T00:00:00.0000Z',
  '2025-13-01T00:00:00.000Z',
  '0000-01-01T00:00:00.000Z',
  '2025-03-01',
];
const anyOf = <T>(values: readonly T[]) => fc.constantFrom(...values);
const value = fc.oneof(
  anyOf(UUIDS),
  anyOf(DATETIMES),
  anyOf(['pending', 'failed', 'FAILED', 'xledger', 'dynamics', 'manual', 'api', 'bogus']),
  anyOf([0, 1, 50, 200, 201, 1.5, -1, Number.NaN, '50']),
  anyOf([null, undefined, true, {}, 'x'.repeat(200), 'x'.repeat(201)]),
);
const KEYS = [
  'organizationId',
  'status',
  'accountingSystem',
  'syncType',
  'triggeredBy',
  'periodFrom',
  'periodTo',
  'startedAfter',
  'startedBefore',
  'cursor',
  'limit',
  'unknownKey',
] as const;

describe('syncLogs.list input: the canonical-input shortcut agrees with listSyncLogsQuerySchema', () => {
  it('returns what the schema returns, and refuses what it refuses, for any input', () => {
    fc.assert(
      fc.property(fc.dictionary(anyOf(KEYS), value, { maxKeys: 6 }), (input) => {
        expect(byStore(input)).toStrictEqual(bySchema(input));
      }),
      { numRuns: 3000 },
    );
  });

  it('takes canonical input as it is and normalizes the rest as the schema does', () => {
    const canonical = {
      organizationId: '0d6f3f0e-8c1a-4d3e-9b7a-1f2e3d4c5b6a',
      periodFrom: '2025-03-01T00:00:00.000Z',
      status: 'failed',
    };
    expect(parseListQuery(canonical)).toStrictEqual({ ...canonical, limit: 50 });
    expect(
      parseListQuery({
        organizationId: '0D6F3F0E-8C1A-4D3E-9B7A-1F2E3D4C5B6A',
        periodTo: '2025-03-01T01:00:00+01:00',
      }),
    ).toStrictEqual({
      organizationId: '0d6f3f0e-8c1a-4d3e-9b7a-1f2e3d4c5b6a',
      periodTo: '2025-03-01T00:00:00.000Z',
      limit: 50,
    });
  });

  it('refuses with the schema’s typed error, naming the field', () => {
    const error = (() => {
      try {
        parseListQuery({ status: 'bogus' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('VALIDATION_FAILED');
    expect((error as DomainError).issues?.[0]?.path).toEqual(['status']);
  });
});
