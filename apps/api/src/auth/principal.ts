import { PRINCIPAL_ROLES, type Principal } from '@meander/domain';
import { z } from 'zod';
import { DEFAULT_TOKEN_POLICY, type TokenPolicy, verifyToken } from './tokens.js';

const claimsSchema = z.discriminatedUnion('role', [
  z.object({
    role: z.literal('org_admin'),
    sub: z.uuid(),
    org: z.uuid(),
    via: z.string().max(100).optional(),
  }),
  z.object({ role: z.literal('global_admin'), sub: z.uuid(), via: z.string().max(100).optional() }),
  z.object({ role: z.literal('service'), sub: z.uuid(), via: z.string().max(100).optional() }),
]);

/**
 * Verified tokens, remembered until they expire: HMAC verification through WebCrypto costs more
 * than the rest of a list request. Bounded (least recently used evicted), and keyed by secret +
 * token so a rotated secret never reuses an old verdict.
 */
const verified = new Map<string, { principal: Principal; exp: number }>();
const CACHE_LIMIT = 1_000;

/** Why a request carries no usable principal. */
export type AuthFailure = 'missing' | 'invalid' | 'expired' | 'claims' | 'lifetime' | 'issuer' | 'audience';

/**
 * Resolve the `Authorization: Bearer <JWT>` header to a principal (the scheme is case-insensitive,
 * RFC 7235). The token checks are `verifyToken`'s. Returns the reason on failure, never throws.
 */
export async function principalFromHeader(
  header: string | null | undefined,
  secret: string,
  policy: TokenPolicy = DEFAULT_TOKEN_POLICY,
): Promise<{ principal: Principal } | { failure: AuthFailure }> {
  if (!header) return { failure: 'missing' };
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(header.trim());
  if (!match?.[1]) return { failure: 'invalid' };
  const key = `${secret}\u0000${policy.maxLifetimeSeconds}\u0000${policy.issuer ?? ''}\u0000${policy.audience ?? ''}\u0000${match[1]}`;
  const hit = verified.get(key);
  if (hit) {
    verified.delete(key);
    if (hit.exp * 1000 <= Date.now()) return { failure: 'expired' };
    // Least recently used goes first: re-inserting moves a live token to the back of the Map.
    verified.set(key, hit);
    return { principal: hit.principal };
  }
  const verdict = await verifyToken(match[1], secret, policy);
  if (!verdict.ok) return { failure: verdict.failure };
  const payload = verdict.payload;
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success || !(PRINCIPAL_ROLES as readonly string[]).includes(claims.data.role))
    return { failure: 'claims' };
  const c = claims.data;
  const via = c.via ? { via: c.via } : {};
  const principal: Principal =
    c.role === 'org_admin'
      ? { role: 'org_admin', userId: c.sub, organizationId: c.org, ...via }
      : { role: c.role, userId: c.sub, ...via };
  if (verified.size >= CACHE_LIMIT) verified.delete(verified.keys().next().value as string);
  verified.set(key, { principal, exp: payload.exp });
  return { principal };
}
