import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadCredentialCipher } from '../src/credentials/load.js';
import { weakJwtSecretReason, weakKeyReason } from '../src/secret-strength.js';

describe('production secret strength', () => {
  it('passes what `openssl rand` makes', () => {
    for (let i = 0; i < 50; i += 1) {
      expect(weakJwtSecretReason(randomBytes(48).toString('base64'))).toBeNull();
      expect(weakJwtSecretReason(randomBytes(32).toString('hex'))).toBeNull();
      expect(weakKeyReason(randomBytes(32))).toBeNull();
    }
  });

  it.each([
    ['aaaaaaaaaaaaaaaa', /16 bytes long/],
    ['a'.repeat(64), /one character repeated/],
    ['abcd'.repeat(10), /repeats "abcd"/],
    ['01234567012345670123456701234567aa', /distinct characters|repeats|common words and digits/],
    ['changeme-changeme-password-2026-secret!', /common words/],
    ['MeanderProductionJwtSecretKey2026', /common words/],
  ])('refuses %s', (secret, reason) => {
    expect(weakJwtSecretReason(secret)).toMatch(reason);
  });

  it('refuses an all-zero or patterned CREDENTIALS_KEY in production only, naming the variable', () => {
    const zero = Buffer.alloc(32).toString('base64');
    expect(() => loadCredentialCipher(zero, { production: true })).toThrow(
      /^CREDENTIALS_KEY is one byte \(0x00\) repeated; refused when NODE_ENV=production/,
    );
    expect(weakKeyReason(Buffer.from('0123456789'.repeat(4).slice(0, 32)))).toMatch(
      /10 distinct byte values/,
    );
    expect(loadCredentialCipher(zero, { production: false }).source).toBe('configured');
  });
});
