import { describe, expect, it } from 'vitest';
import { AccountingError, createAdapter, DynamicsAdapter, XledgerAdapter } from '../src/index.js';

const dynamics = {
  baseUrl: 'http://127.0.0.1:4010/dynamics',
  tokenUrl: 'http://127.0.0.1:4010/dynamics/oauth2/v2.0/token',
  tenantId: 'demo-tenant',
  clientId: 'demo-client',
  clientSecret: 'top-secret-value',
  companyId: 'c0a1e5d2-7b6f-4e1a-9c3d-2f8b9a0e4d51',
  journalName: 'MEANDER',
};

function configurationError(run: () => unknown): AccountingError {
  try {
    run();
  } catch (error) {
    if (error instanceof AccountingError) return error;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('createAdapter', () => {
  it('builds the adapter of each system from complete settings', () => {
    expect(
      createAdapter('xledger', {
        baseUrl: 'https://demo.xledger.net/graphql',
        apiToken: 't',
        transactionSource: 'GL',
        contraAccount: '2910',
        localCurrency: 'NOK',
      }),
    ).toBeInstanceOf(XledgerAdapter);
    const adapter = createAdapter('dynamics', dynamics);
    expect(adapter).toBeInstanceOf(DynamicsAdapter);
    expect(adapter.system).toBe('dynamics');
  });

  it('names the missing Xledger posting settings (transactionSource, contraAccount, localCurrency)', () => {
    const error = configurationError(() =>
      createAdapter('xledger', { baseUrl: 'https://demo.xledger.net/graphql', apiToken: 't' }),
    );
    expect(error.message).toMatch(/transactionSource is missing/);
    expect(error.message).toMatch(/contraAccount is missing/);
    expect(error.message).toMatch(/localCurrency is missing/);
    expect(error.message).not.toMatch(/apiToken/);
  });

  it('names every missing Xledger key in a non-retryable configuration error', () => {
    const error = configurationError(() => createAdapter('xledger', {}));
    expect(error.details).toMatchObject({
      code: 'INVALID_CONNECTION',
      category: 'configuration',
      retryable: false,
    });
    expect(error.message).toMatch(/baseUrl is missing/);
    expect(error.message).toMatch(/apiToken is missing/);
  });

  it('treats an absent connection as every key missing', () => {
    expect(configurationError(() => createAdapter('dynamics', undefined)).message).toMatch(
      /clientSecret is missing/,
    );
  });

  it('names a missing Dynamics key without echoing the secret', () => {
    const { journalName: _journal, ...withoutJournal } = dynamics;
    const error = configurationError(() => createAdapter('dynamics', withoutJournal));
    expect(error.message).toMatch(/journalName is missing/);
    expect(error.message).not.toMatch(/companyId|tokenUrl/);
    expect(error.message).not.toContain('top-secret-value');
  });

  it('refuses a malformed URL and an empty value', () => {
    const error = configurationError(() =>
      createAdapter('dynamics', { ...dynamics, tokenUrl: 'ftp://x', clientId: ' ' }),
    );
    expect(error.message).toMatch(/tokenUrl must be an http\(s\) URL/);
    expect(error.message).toMatch(/clientId is required/);
  });

  it('refuses an unknown system', () => {
    const error = configurationError(() => createAdapter('sage' as never, {}));
    expect(error.details).toMatchObject({ code: 'UNKNOWN_SYSTEM', category: 'configuration' });
  });
});
