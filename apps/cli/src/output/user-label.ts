/** Who the CLI's token names: its `sub` and optional `name` claim. */
export interface Viewer {
  userId: string;
  name?: string;
}

/**
 * The token's subject and display name, read for display only: the API verifies the token, and a
 * token that does not decode simply names no one.
 */
export function viewerFromToken(token: string | undefined): Viewer | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      sub?: unknown;
      name?: unknown;
    };
    if (typeof claims.sub !== 'string') return undefined;
    const name = typeof claims.name === 'string' ? claims.name.trim() : '';
    return name ? { userId: claims.sub, name } : { userId: claims.sub };
  } catch {
    return undefined;
  }
}

/**
 * A user as people read them: the token's display name when the user is the token's own, else a
 * short id (head and tail, as the console shows it: the demo's ids share their first characters).
 */
export function userLabel(userId: string, viewer?: Viewer): string {
  if (viewer?.name && viewer.userId.toLowerCase() === userId.toLowerCase()) return viewer.name;
  return userId.length > 12 ? `user ${userId.slice(0, 8)}…${userId.slice(-4)}` : `user ${userId}`;
}
