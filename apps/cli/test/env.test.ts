import { describe, expect, it } from 'vitest';
import { readCliEnv } from '../src/env.js';
import { EXIT, UsageError } from '../src/exit-codes.js';

describe('the CLI environment', () => {
  it('defaults the API URL and leaves the token unset', () => {
    expect(readCliEnv({}, () => undefined)).toEqual({ apiUrl: 'http://localhost:3000' });
  });

  it('reads MEANDER_API_URL and MEANDER_TOKEN', () => {
    expect(
      readCliEnv({ MEANDER_API_URL: 'https://sync.example.test:8443', MEANDER_TOKEN: 'abc.def.ghi' }),
    ).toEqual({
      apiUrl: 'https://sync.example.test:8443',
      token: 'abc.def.ghi',
    });
  });

  it('refuses a URL that is not http(s) as a usage error naming the variable', () => {
    for (const bad of ['localhost:3000', 'ftp://host', 'nope']) {
      let error: unknown;
      try {
        readCliEnv({ MEANDER_API_URL: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(EXIT.usage);
      expect((error as UsageError).message).toContain('MEANDER_API_URL');
    }
  });
});
