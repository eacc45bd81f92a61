import { DomainError, type Principal, type SyncLog } from '@meander/domain';
import type { Context } from '../trpc/context.js';

/**
 * The organization a request acts on. Org admins act only on their own (asking for another is
 * FORBIDDEN; asking for none means their own); global admins and services act where they ask.
 */
export function scopeOrganization(principal: Principal, requested: string | undefined): string | undefined {
  if (principal.role !== 'org_admin') return requested;
  if (requested !== undefined && requested !== principal.organizationId) {
    throw new DomainError('FORBIDDEN', 'An organization admin acts only inside their own organization');
  }
  return principal.organizationId;
}

/** Same, for procedures that always name one organization. */
export function requireOrganizationScope(principal: Principal, requested: string): string {
  return scopeOrganization(principal, requested) ?? requested;
}

/**
 * A sync log the principal may see. Another organization's row answers NOT_FOUND exactly like a
 * missing one, so an org admin cannot even learn that it exists.
 */
export async function visibleSyncLog(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  id: string,
): Promise<SyncLog> {
  const log = await ctx.db.syncLogs.get(id);
  if (!log || (principal.role === 'org_admin' && log.organizationId !== principal.organizationId)) {
    throw new DomainError('NOT_FOUND', `Sync log ${id} does not exist`);
  }
  return log;
}
