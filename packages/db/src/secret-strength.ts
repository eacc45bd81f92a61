/**
 * Production refuses secrets an attacker could guess. These checks catch what operators really
 * paste — a short string, one repeated character, a repeated word, a pass-phrase of common words,
 * a key of repeated bytes — not every weak secret there is: the README tells how to make a strong
 * one (`openssl rand -base64 32`).
 */

/** The least length, in bytes, of `AUTH_JWT_SECRET` in production (RFC 7518 §3.2: HS256 keys ≥ 256 bits). */
const MIN_JWT_SECRET_BYTES = 32;

/** Words that make up most guessable secrets (lower-case; matched inside the secret). */
const COMMON_WORDS = [
  'password',
  'passwd',
  'secret',
  'changeme',
  'change',
  'letmein',
  'welcome',
  'admin',
  'default',
  'qwerty',
  'asdf',
  'test',
  'example',
  'sample',
  'demo',
  'meander',
  'token',
  'jwt',
  'key',
  'auth',
  'prod',
  'production',
  'dev',
  'development',
  'super',
  'my',
  'the',
  'abc',
  'xyz',
];

/** Why `secret` is too weak for `AUTH_JWT_SECRET` in production, or null when it passes. */
export function weakJwtSecretReason(secret: string): string | null {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_JWT_SECRET_BYTES)
    return `is ${bytes} bytes long; at least ${MIN_JWT_SECRET_BYTES} random bytes are required`;
  if (new Set(secret).size === 1) return 'is one character repeated';
  const unit = repeatedUnit(secret);
  if (unit !== null) return `repeats "${unit.length > 8 ? `${unit.slice(0, 8)}…` : unit}"`;
  if (new Set(secret).size < 8) return `uses only ${new Set(secret).size} distinct characters`;
  if (isCommonWordsAndDigits(secret)) return 'is made of common words and digits';
  return null;
}

/** Why a decoded 32-byte key is too weak (`CREDENTIALS_KEY`), or null when it passes. */
export function weakKeyReason(key: Uint8Array): string | null {
  const distinct = new Set(key).size;
  if (distinct === 1) return `is one byte (0x${(key[0] ?? 0).toString(16).padStart(2, '0')}) repeated`;
  // 32 random bytes have about 30 distinct values; fewer than 16 is a pattern, not randomness.
  if (distinct < 16) return `has only ${distinct} distinct byte values; use 32 random bytes`;
  return null;
}

/** The shortest unit that `text` is two or more copies of, or null. */
function repeatedUnit(text: string): string | null {
  for (let size = 1; size <= text.length / 2; size += 1) {
    if (text.length % size !== 0) continue;
    const unit = text.slice(0, size);
    if (unit.repeat(text.length / size) === text) return unit;
  }
  return null;
}

/** True when, without common words, digits and separators, fewer than 8 characters are left. */
function isCommonWordsAndDigits(secret: string): boolean {
  let rest = secret.toLowerCase();
  for (const word of [...COMMON_WORDS].sort((a, b) => b.length - a.length)) rest = rest.replaceAll(word, '');
  return rest.replace(/[\d\W_]/g, '').length < 8;
}
