import { describe, expect, it } from 'vitest';
import { readWorkerEnv } from '../src/env.js';

describe('the worker settings of issue 26', () => {
  it('defaults: Business Central paced at its published limits, Xledger unpaced, a pool of 10', () => {
    const env = readWorkerEnv({});
    expect(env.poolSize).toBe(10);
    expect(env.ledgerLimits.gateFor('dynamics', 'tenant/client')?.limit).toEqual({
      requests: 6_000,
      windowSeconds: 300,
      concurrent: 100,
    });
    expect(env.ledgerLimits.gateFor('xledger', 'token')).toBeUndefined();
  });

  it('LEDGER_LIMIT_SHARE splits each limit between the processes; LEDGER_LIMITS_<SYSTEM> sets one', () => {
    const env = readWorkerEnv({
      WORKER_CONCURRENCY: '200',
      LEDGER_LIMIT_SHARE: '4',
      LEDGER_LIMITS_XLEDGER: '600/60/10',
    });
    expect(env.concurrency).toBe(200);
    expect(env.ledgerLimits.gateFor('dynamics', 'a')?.limit).toEqual({
      requests: 1_500,
      windowSeconds: 300,
      concurrent: 25,
    });
    expect(env.ledgerLimits.gateFor('xledger', 'b')?.limit).toEqual({
      requests: 150,
      windowSeconds: 60,
      concurrent: 2,
    });
  });

  it('a malformed limit or an out-of-range concurrency is refused naming the variable', () => {
    expect(() => readWorkerEnv({ LEDGER_LIMITS_DYNAMICS: '6000 per 5 min' })).toThrow(
      /LEDGER_LIMITS_DYNAMICS: must be requests\/windowSeconds\/concurrent/,
    );
    expect(() => readWorkerEnv({ LEDGER_LIMITS_DYNAMICS: '0/300/100' })).toThrow(/LEDGER_LIMITS_DYNAMICS/);
    expect(() => readWorkerEnv({ WORKER_CONCURRENCY: '5000' })).toThrow(/WORKER_CONCURRENCY/);
    expect(() => readWorkerEnv({ LEDGER_LIMIT_SHARE: '0' })).toThrow(/LEDGER_LIMIT_SHARE/);
  });
});
