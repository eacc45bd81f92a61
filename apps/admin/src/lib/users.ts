import type { Session } from './session';

/**
 * A user as people read them: the display name the signed-in token carries when it is that user,
 * else "user" and a short id (the product keeps no user directory; the full id goes into a title).
 */
export function userLabel(userId: string, session: Pick<Session, 'userId' | 'name'> | null): string {
  if (session?.name && session.userId === userId) return session.name;
  // Head and tail: ids minted in a series (the demo's) share their first characters.
  return userId.length > 12 ? `user ${userId.slice(0, 8)}…${userId.slice(-4)}` : `user ${userId}`;
}
