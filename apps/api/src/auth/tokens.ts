import type { PrincipalRole } from '@meander/domain';
import { sign, verify } from 'hono/jwt';

/** The claims a Meander bearer token carries (see the contract's "Authentication"). */
export interface TokenClaims {
  sub: string;
  role: PrincipalRole;
  org?: string;
  via?: string;
  /** The user's display name (the OIDC `name` claim), shown by the console; never used for access. */
  name?: string;
}

/** What a token must satisfy beyond its signature (from the API's configuration). */
export interface TokenPolicy {
  /** Largest `exp − iat` accepted, in seconds (`AUTH_TOKEN_MAX_LIFETIME_SECONDS`). */
  maxLifetimeSeconds: number;
  /** Required `iss` when set (`AUTH_JWT_ISSUER`). */
  issuer?: string;
  /** Required `aud` (a string, or one entry of an array) when set (`AUTH_JWT_AUDIENCE`). */
  audience?: string;
}

/** Default: a day, the lifetime of the demo tokens `pnpm start` prints. */
export const DEFAULT_TOKEN_POLICY: TokenPolicy = { maxLifetimeSeconds: 86_400 };

/** Sign an HS256 bearer token (demo tokens, tests, service integrations). */
export async function signToken(
  claims: TokenClaims,
  secret: string,
  expiresInSeconds = 3600,
  options: { issuer?: string; audience?: string } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign(
    {
      ...claims,
      iat: now,
      exp: now + expiresInSeconds,
      ...(options.issuer ? { iss: options.issuer } : {}),
      ...(options.audience ? { aud: options.audience } : {}),
    },
    secret,
    'HS256',
  );
}

/** The outcome of verifying a token: its payload, or why it is refused. */
export type TokenVerdict =
  | { ok: true; payload: Record<string, unknown> & { exp: number } }
  | { ok: false; failure: 'invalid' | 'expired' | 'claims' | 'lifetime' | 'issuer' | 'audience' };

/**
 * Verify an HS256 token against the secret and the policy: signature, `exp` (required, not passed),
 * `iat` (required, not in the future), `exp − iat` at most `maxLifetimeSeconds`, and `iss`/`aud` when
 * configured. Every check lives here, so a cache in front of it changes none of them.
 */
export async function verifyToken(
  token: string,
  secret: string,
  policy: TokenPolicy = DEFAULT_TOKEN_POLICY,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<TokenVerdict> {
  let payload: Record<string, unknown>;
  try {
    payload = (await verify(token, secret, 'HS256')) as Record<string, unknown>;
  } catch (error) {
    return {
      ok: false,
      failure: error instanceof Error && error.name === 'JwtTokenExpired' ? 'expired' : 'invalid',
    };
  }
  const { exp, iat } = payload;
  if (typeof exp !== 'number' || typeof iat !== 'number') return { ok: false, failure: 'claims' };
  if (exp <= nowSeconds) return { ok: false, failure: 'expired' };
  // A token issued "later" than now (beyond a minute of clock skew) would dodge the lifetime cap.
  if (iat > nowSeconds + 60 || exp - iat > policy.maxLifetimeSeconds)
    return { ok: false, failure: 'lifetime' };
  if (policy.issuer !== undefined && payload.iss !== policy.issuer) return { ok: false, failure: 'issuer' };
  if (policy.audience !== undefined) {
    const aud = payload.aud;
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(policy.audience)) return { ok: false, failure: 'audience' };
  }
  return { ok: true, payload: payload as Record<string, unknown> & { exp: number } };
}
