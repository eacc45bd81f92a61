import type { Session } from './session';

/**
 * A user as people read them: the display name the signed-in token carries when it is that user,
 * else "user" and a short id (the product keeps no user directory; the full id goes into a title).
 */
export function userLabel(userId: string, session: Pick<Session, 'userId' | 'name'> | null): string {
  if (session?.name && session.userId === userId) return session.name;
  return `user ${userId.slice(0, 8)}`;
}
