import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The one sealing primitive for secrets at rest: accounting credentials and webhook signing secrets.
 *
 * Format `v2.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts): AES-256-GCM under a key derived
 * (HKDF-SHA256) from the operator's CREDENTIALS_KEY per purpose, with the purpose and a context
 * (the organization id for credentials) as additional authenticated data, so a value never opens
 * as another purpose's or on another organization. `keyId` names the CREDENTIALS_KEY itself, so
 * every sealed value of every purpose reports the same id for the same operator key.
 *
 * Values sealed before v2 still open (`v1`, one layout per purpose, see {@link LEGACY_V1}) until
 * `pnpm db:rotate-credentials` re-seals them; {@link Keyring.isCurrent} tells which need it.
 */
const SEAL_PURPOSES = ['credentials', 'webhook-secret'] as const;
/** What a sealed value protects: part of its key derivation and authenticated data. */
export type SealPurpose = (typeof SEAL_PURPOSES)[number];

const VERSION = 'v2';

/** A sealed value could not be opened; names the key id, never any secret. */
export class SealError extends Error {
  override readonly name = 'SealError';
  constructor(
    message: string,
    readonly reason: 'format' | 'unknown-key' | 'does-not-open',
    readonly keyId: string | null,
  ) {
    super(message);
  }
}

/** A root key's id: first 12 hex digits of SHA-256 over a label and the key (identifies, does not reveal). */
export function rootKeyId(key: Buffer): string {
  return createHash('sha256').update('meander-credentials-key-id').update(key).digest('hex').slice(0, 12);
}

const derive = (root: Buffer, info: string) =>
  Buffer.from(hkdfSync('sha256', root, Buffer.alloc(0), info, 32));

interface Layout {
  /** The key a value is sealed with, from the root key. */
  key(root: Buffer): Buffer;
  /** The key id written into the value, from the root key. */
  keyId(root: Buffer): string;
  /** Additional authenticated data, from the context. */
  aad(context: string): Buffer | null;
}

const V2: Record<SealPurpose, Layout> = {
  credentials: {
    key: (root) => derive(root, 'meander/sealed/v2/credentials'),
    keyId: rootKeyId,
    aad: (context) => Buffer.from(`meander/sealed/v2/credentials:${context.toLowerCase()}`, 'utf8'),
  },
  'webhook-secret': {
    key: (root) => derive(root, 'meander/sealed/v2/webhook-secret'),
    keyId: rootKeyId,
    aad: (context) => Buffer.from(`meander/sealed/v2/webhook-secret:${context.toLowerCase()}`, 'utf8'),
  },
};

/**
 * The two formats that existed before v2, both labelled `v1`: credentials sealed with the root key
 * itself and the organization as AAD; webhook secrets under an HKDF subkey named by its own hash,
 * without AAD. Opened only, never written.
 */
const LEGACY_V1: Record<SealPurpose, Layout> = {
  credentials: {
    key: (root) => root,
    keyId: rootKeyId,
    aad: (context) => Buffer.from(`meander-credentials/v1:${context.toLowerCase()}`, 'utf8'),
  },
  'webhook-secret': {
    key: (root) => derive(root, 'meander/webhook-secrets'),
    keyId: (root) =>
      createHash('sha256').update(derive(root, 'meander/webhook-secrets')).digest('hex').slice(0, 12),
    aad: () => null,
  },
};

const LAYOUTS: Record<string, Record<SealPurpose, Layout>> = { v1: LEGACY_V1, [VERSION]: V2 };

/** The parts of a sealed value, or null when it is not one. */
function parse(sealed: string) {
  const [version, keyId, iv, tag, data, ...rest] = sealed.split('.');
  if (!version || !keyId || !iv || !tag || data === undefined || rest.length > 0) return null;
  return { version, keyId, iv, tag, data };
}

/** The key id a sealed value names, or null when it is not a sealed value. */
export function sealedValueKeyId(sealed: string): string | null {
  return parse(sealed)?.keyId ?? null;
}

/**
 * CREDENTIALS_KEY and the previous keys still accepted while a rotation runs. Seals with the
 * current key in the current format; opens any format this product wrote, under any of the keys.
 */
export class Keyring {
  /** The id of the current key (what {@link seal} writes). */
  readonly keyId: string;
  private readonly roots: readonly Buffer[];

  constructor(
    private readonly current: Buffer,
    previous: readonly Buffer[] = [],
  ) {
    for (const key of [current, ...previous]) {
      if (key.length !== 32) throw new RangeError('The credentials key must be 32 bytes');
    }
    this.keyId = rootKeyId(current);
    this.roots = [current, ...previous];
  }

  seal(purpose: SealPurpose, context: string, plaintext: string): string {
    const layout = V2[purpose];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', layout.key(this.current), iv);
    const aad = layout.aad(context);
    if (aad) cipher.setAAD(aad);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
    return [VERSION, this.keyId, ...parts].join('.');
  }

  /** Whether a value is sealed in the current format under the current key (else a rotation re-seals it). */
  isCurrent(sealed: string): boolean {
    const parts = parse(sealed);
    return parts?.version === VERSION && parts.keyId === this.keyId;
  }

  /** The plaintext of a value sealed for `purpose` and `context`; throws {@link SealError}. */
  open(purpose: SealPurpose, context: string, sealed: string): string {
    const parts = parse(sealed);
    const layout = parts ? LAYOUTS[parts.version]?.[purpose] : undefined;
    if (!parts || !layout)
      throw new SealError('Not a sealed value in a format this version reads', 'format', null);
    const root = this.roots.find((r) => layout.keyId(r) === parts.keyId);
    if (!root) {
      throw new SealError(
        `Sealed under key ${parts.keyId}, which is not configured (CREDENTIALS_KEY, CREDENTIALS_PREVIOUS_KEYS)`,
        'unknown-key',
        parts.keyId,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', layout.key(root), Buffer.from(parts.iv, 'base64url'));
      const aad = layout.aad(context);
      if (aad) decipher.setAAD(aad);
      decipher.setAuthTag(Buffer.from(parts.tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(parts.data, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SealError(
        `Does not open under key ${parts.keyId} (altered, or moved from elsewhere)`,
        'does-not-open',
        parts.keyId,
      );
    }
  }
}

/** Parse a root key (base64 of exactly 32 bytes). The error names the setting, never the value. */
export function parseRootKey(base64: string, name = 'CREDENTIALS_KEY'): Buffer {
  const text = base64.trim();
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== 32) {
    throw new Error(`${name} must be 32 random bytes, base64-encoded (e.g. openssl rand -base64 32)`);
  }
  return key;
}

/** CREDENTIALS_PREVIOUS_KEYS (comma-separated base64 keys) as root keys. */
export function parsePreviousKeys(setting: string | undefined): Buffer[] {
  return (setting ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => parseRootKey(k, 'CREDENTIALS_PREVIOUS_KEYS'));
}
