import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvText } from '../conformance/env-file.js';
import {
  emulatorTarget,
  formatReport,
  loadScenarios,
  realTarget,
  runScenarios,
} from '../conformance/runner.js';
import { type RunningEmulators, startEmulators } from '../src/emulators/index.js';
import { toScaled } from '../src/systems/dynamics/emulator/dynamics-ledger.js';

// Issue 22 item 10: one conformance suite for the emulator (CI, here) and a real Business Central
// sandbox (`pnpm conformance --system dynamics --env <file>`).

describe('conformance — Business Central scenarios against the emulator', () => {
  it('every scenario passes, the fault-injecting ones included', async () => {
    const { target, emulators } = await emulatorTarget('dynamics');
    try {
      const scenarios = await loadScenarios('dynamics');
      expect(scenarios.length).toBeGreaterThanOrEqual(8);
      const reports = await runScenarios(target, scenarios);
      expect(reports.filter((r) => r.outcome.result !== 'passed')).toEqual([]);
      const printed = formatReport(target, reports);
      expect(printed).toMatch(/\d+ passed, 0 failed, 0 skipped/);
      expect(printed).toMatch(
        /held\s+I: an account number not in the chart of accounts is refused at line creation/,
      );
    } finally {
      await emulators.close();
    }
  }, 30_000);
});

describe('conformance — a run from an env file (a "real" target: no fault control)', () => {
  let emulators: RunningEmulators;
  beforeAll(async () => {
    emulators = await startEmulators();
  });
  afterAll(() => emulators.close());

  it('skips the fault-injecting scenarios with their reason, passes the rest, and reverses what it posted', async () => {
    const c = emulators.connections.dynamics;
    const env = parseEnvText(
      [
        '# a Business Central sandbox (here: the emulator, standing in)',
        `baseUrl=${c.baseUrl}`,
        `tokenUrl="${c.tokenUrl}"`,
        `tenantId=${c.tenantId}`,
        `clientId=${c.clientId}`,
        `clientSecret='${c.clientSecret}'`,
        `companyId=${c.companyId}`,
        `journalName=${c.journalName}`,
        `balancingAccountNumber=${c.balancingAccountNumber}  # employee payables`,
        `localCurrency=${c.localCurrency}`,
        'CONFORMANCE_EXPENSE_ACCOUNT=6800',
        'CONFORMANCE_BOOKING_DATE=2024-05-15',
      ].join('\n'),
    );
    const target = realTarget('dynamics', env);
    expect(target.connection).not.toHaveProperty('CONFORMANCE_EXPENSE_ACCOUNT');
    const reports = await runScenarios(target, await loadScenarios('dynamics'));
    const byResult = (result: string) =>
      reports.filter((r) => r.outcome.result === result).map((r) => r.name);
    expect(byResult('failed')).toEqual([]);
    expect(byResult('skipped').length).toBe(5);
    expect(byResult('passed').length).toBe(4);
    expect(reports.filter((r) => r.cleanUp !== undefined).every((r) => r.cleanUp === 'done')).toBe(true);
    // Self-cleaning: every account nets to zero after the reversals.
    const net = new Map<string, bigint>();
    for (const e of emulators.ledger('dynamics')) {
      const amount = toScaled(e.debitAmount) - toScaled(e.creditAmount);
      net.set(e.accountNumber, (net.get(e.accountNumber) ?? 0n) + amount);
    }
    expect(emulators.ledger('dynamics').length).toBeGreaterThan(0);
    expect([...net.values()].every((n) => n === 0n)).toBe(true);
    expect(formatReport(target, reports)).toMatch(/against a real system/);
  }, 30_000);

  it('refuses an env file without the expense account, naming the key', () => {
    expect(() => realTarget('dynamics', parseEnvText('baseUrl=https://x'))).toThrow(
      /CONFORMANCE_EXPENSE_ACCOUNT is missing/,
    );
  });
});

describe('conformance — env file reader', () => {
  it('reads KEY=value lines with comments, export, quotes and inline comments', () => {
    const env = parseEnvText(
      [
        '# comment',
        '',
        'export A=1',
        'B = "two words"',
        "C='#not a comment'",
        'D=x # trailing',
        'E="line\\nbreak"',
      ].join('\n'),
    );
    expect(Object.fromEntries(env)).toEqual({
      A: '1',
      B: 'two words',
      C: '#not a comment',
      D: 'x',
      E: 'line\nbreak',
    });
  });

  it('names the line of a malformed entry', () => {
    expect(() => parseEnvText('A=1\nnot a setting', 'sandbox.env')).toThrow(
      'sandbox.env, line 2: expected KEY=value',
    );
    expect(() => parseEnvText('A="open', 'sandbox.env')).toThrow(/line 1: unterminated " quote/);
  });
});
