import type { PrincipalRole } from '@meander/domain';
import { sign } from 'hono/jwt';

/** The claims a Meander bearer token carries (see the contract's "Authentication"). */
export interface TokenClaims {
  sub: string;
  role: PrincipalRole;
  org?: string;
  via?: string;
}

/** Sign an HS256 bearer token (demo tokens, tests, service integrations). */
export async function signToken(
  claims: TokenClaims,
  secret: string,
  expiresInSeconds = 3600,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ ...claims, iat: now, exp: now + expiresInSeconds }, secret, 'HS256');
}
