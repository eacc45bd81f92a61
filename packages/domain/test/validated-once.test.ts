import { describe, expect, it } from 'vitest';
import {
  completeSyncLogCommandSchema,
  createSyncLogCommandSchema,
  DomainError,
  parseCommand,
  startSyncLogCommandSchema,
  validatingOnce,
} from '../src/index.js';

const ID = '4b6f7a52-3c1d-4e8f-9a0b-1c2d3e4f5a6b';
const CREATE = {
  organizationId: 'A9E0C3F2-1B2C-4D3E-8F4A-5B6C7D8E9F00',
  accountingSystem: 'xledger',
  syncType: 'api',
  periodStart: '2026-01-01T00:00:00.000Z',
  periodEnd: '2026-01-31T23:59:59.999Z',
  recordsTotal: 10,
} as const;

describe('commands validated once at the edge', () => {
  it('parseCommand hands back the very command the same schema produced, frozen', () => {
    const command = validatingOnce(createSyncLogCommandSchema).parse(CREATE);
    // The schema's own output (ids lower-cased), not the raw input.
    expect(command.organizationId).toBe(CREATE.organizationId.toLowerCase());
    expect(Object.isFrozen(command)).toBe(true);
    expect(parseCommand(createSyncLogCommandSchema, command)).toBe(command);
  });

  it('parses anything else as before: an equal plain object, or a command another schema produced', () => {
    const plain = { ...validatingOnce(createSyncLogCommandSchema).parse(CREATE) };
    const parsed = parseCommand(createSyncLogCommandSchema, plain);
    expect(parsed).not.toBe(plain);
    expect(parsed).toEqual(plain);

    // `{ id }` passed the start schema; the complete schema still wants its counts.
    const started = validatingOnce(startSyncLogCommandSchema).parse({ id: ID });
    let error: unknown;
    try {
      parseCommand(completeSyncLogCommandSchema, started);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('VALIDATION_FAILED');
    expect((error as DomainError).issues.map((i) => [i.rule, i.path.join('.')])).toEqual([
      ['schema', 'recordsSynced'],
      ['schema', 'recordsFailed'],
    ]);
  });

  it('refuses bad input with the very issues the bare schema reports', () => {
    const bad = { ...CREATE, recordsTotal: 'ten', extra: true };
    const once = validatingOnce(createSyncLogCommandSchema).safeParse(bad);
    const bare = createSyncLogCommandSchema.safeParse(bad);
    expect(once.success).toBe(false);
    expect(once.error?.issues).toEqual(bare.error?.issues);
    expect(once.error?.issues.map((i) => i.path.join('.'))).toEqual(['recordsTotal', '']);
  });
});
