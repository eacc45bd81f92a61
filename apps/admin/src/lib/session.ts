import type { PrincipalRole } from '@meander/domain';

const STORAGE_KEY = 'meander.console.token';

/** Who is signed in, read from the bearer token's claims (the API verifies them; this only shapes the UI). */
export interface Session {
  token: string;
  role: PrincipalRole;
  userId: string;
  /** The user's display name when the token carries one (the OIDC `name` claim). */
  name: string | null;
  organizationId: string | null;
  via: string | null;
  /** Expiry in epoch milliseconds, when the token carries one. */
  expiresAt: number | null;
}

function base64UrlDecode(part: string): string {
  const base64 = part
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(part.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The session a pasted token describes, or a sentence saying why it cannot be one. */
export function decodeToken(raw: string, now = Date.now()): Session | { problem: string } {
  const token = raw.trim().replace(/^bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => p.length === 0))
    return { problem: 'This is not a bearer token: a token has three parts separated by dots.' };
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(base64UrlDecode(parts[1] as string)) as Record<string, unknown>;
  } catch {
    return { problem: 'This token cannot be read: its middle part is not valid JSON.' };
  }
  const role = claims.role;
  if (role !== 'org_admin' && role !== 'global_admin' && role !== 'service')
    return { problem: 'This token carries no known role (org_admin, global_admin or service).' };
  if (role === 'org_admin' && typeof claims.org !== 'string')
    return { problem: 'An organization admin token must name its organization.' };
  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  if (expiresAt !== null && expiresAt <= now)
    return { problem: 'This token has expired. Ask for a new one.' };
  return {
    token,
    role,
    userId: typeof claims.sub === 'string' ? claims.sub : '',
    name: typeof claims.name === 'string' && claims.name.trim() !== '' ? claims.name.trim() : null,
    organizationId: typeof claims.org === 'string' ? claims.org : null,
    via: typeof claims.via === 'string' ? claims.via : null,
    expiresAt,
  };
}

/** The token kept for this browser tab (sessionStorage: gone when the tab closes). */
export function loadSession(): Session | null {
  const token = sessionStorage.getItem(STORAGE_KEY);
  if (!token) return null;
  const session = decodeToken(token);
  if ('problem' in session) {
    sessionStorage.removeItem(STORAGE_KEY);
    return null;
  }
  return session;
}

export function storeToken(token: string): void {
  sessionStorage.setItem(STORAGE_KEY, token);
}

export function clearStoredToken(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** A role as people say it. */
export function roleLabel(session: Pick<Session, 'role' | 'via'>): string {
  if (session.role === 'org_admin') return 'Organization admin';
  if (session.role === 'global_admin')
    return session.via ? `Global admin via ${session.via}` : 'Global admin';
  return 'Service';
}
