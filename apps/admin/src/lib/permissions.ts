import type { Action, PrincipalRole } from '@meander/domain';

// The domain's ACTION_ROLES, restated for the browser so zod and the rules stay out of the bundle;
// the `Action` type keeps the names in step, and the API enforces the real policy anyway.
const ACTION_ROLES: Partial<Record<Action, readonly PrincipalRole[]>> = {
  'sync.export': ['org_admin', 'global_admin'],
  'resync.start': ['org_admin', 'global_admin'],
  'sync.reverse': ['org_admin', 'global_admin'],
  'resync.plan': ['org_admin', 'global_admin', 'service'],
  'audit.verify': ['org_admin', 'global_admin', 'service'],
  'sync.watch': ['org_admin', 'global_admin', 'service'],
  'webhook.manage': ['org_admin', 'global_admin'],
};

/** Whether the console should offer `action` to a principal with `role` (forbidden actions are hidden). */
export function can(role: PrincipalRole, action: Action): boolean {
  return ACTION_ROLES[action]?.includes(role) ?? false;
}
