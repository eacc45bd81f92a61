import { DomainError } from './errors.js';

/** Roles a bearer token can carry. */
export const PRINCIPAL_ROLES = ['org_admin', 'global_admin', 'service'] as const;
/** A principal's role. */
export type PrincipalRole = (typeof PRINCIPAL_ROLES)[number];

/** The only channel through which a global admin may delete sync logs. */
const AUDIT_LOG_SERVICE = 'audit-log-service';

/** Who is acting. Org admins are bound to one organization; the others see every organization. */
export type Principal =
  | { role: 'org_admin'; userId: string; organizationId: string; via?: string }
  | { role: 'global_admin'; userId: string; via?: string }
  | { role: 'service'; userId: string; via?: string };

/** Everything a principal can ask to do, named by resource and verb. */
export const ACTIONS = [
  'organization.manage',
  'syncLog.read',
  'syncLog.record',
  'syncLog.delete',
  'sync.export',
  'sync.push',
  'sync.watch',
  'resync.plan',
  'resync.start',
  'sync.reverse',
  'monitoring.read',
  'audit.verify',
  'webhook.manage',
  'expenseRecord.write',
  'expenseRecord.read',
] as const;
/** An action a principal can ask to do. */
export type Action = (typeof ACTIONS)[number];

const ADMIN_ROLES: readonly PrincipalRole[] = ['org_admin', 'global_admin'];
const READ_ROLES: readonly PrincipalRole[] = ['org_admin', 'global_admin', 'service'];

/** Which roles may attempt each action at all (tenancy is checked separately). */
const ACTION_ROLES: Readonly<Record<Action, readonly PrincipalRole[]>> = {
  'organization.manage': ['global_admin'],
  'syncLog.read': READ_ROLES,
  'syncLog.record': ['service'],
  'syncLog.delete': ['global_admin'],
  'sync.export': ADMIN_ROLES,
  'sync.push': ['service', 'org_admin', 'global_admin'],
  'sync.watch': READ_ROLES,
  'resync.plan': READ_ROLES,
  'resync.start': ADMIN_ROLES,
  'sync.reverse': ADMIN_ROLES,
  'monitoring.read': READ_ROLES,
  'audit.verify': READ_ROLES,
  'webhook.manage': ADMIN_ROLES,
  // Meander's expense system hands records over; admins read what it handed over.
  'expenseRecord.write': ['service'],
  'expenseRecord.read': ADMIN_ROLES,
};

/** The outcome of a policy check. */
export type Decision = { allowed: true } | { allowed: false; reason: string };

/**
 * Decide whether `principal` may perform `action` on `organizationId` (when the action targets
 * one). Org admins act only inside their own organization; deletion is `org_admin_cannot_delete`.
 */
export function authorize(principal: Principal, action: Action, organizationId?: string): Decision {
  if (action === 'syncLog.delete') return authorizeDeletion(principal);
  if (!ACTION_ROLES[action].includes(principal.role)) {
    return { allowed: false, reason: `A ${principal.role} may not ${action}` };
  }
  if (
    principal.role === 'org_admin' &&
    organizationId !== undefined &&
    organizationId !== principal.organizationId
  ) {
    return { allowed: false, reason: 'An organization admin acts only inside their own organization' };
  }
  return { allowed: true };
}

/**
 * `org_admin_cannot_delete`: only a global admin acting through the audit-log service may delete
 * a sync log (the reason and legal basis are checked by {@link deleteSyncLogCommandSchema}).
 */
export function authorizeDeletion(principal: Principal): Decision {
  if (principal.role === 'org_admin') {
    return {
      allowed: false,
      reason: 'Organization admins may not delete sync log records (org_admin_cannot_delete)',
    };
  }
  if (principal.role !== 'global_admin' || principal.via !== AUDIT_LOG_SERVICE) {
    return {
      allowed: false,
      reason: `Sync logs are deleted only by a global admin acting via ${AUDIT_LOG_SERVICE}`,
    };
  }
  return { allowed: true };
}

/** Throw `FORBIDDEN` unless {@link authorize} allows. */
export function assertAllowed(principal: Principal, action: Action, organizationId?: string): void {
  const decision = authorize(principal, action, organizationId);
  if (!decision.allowed) {
    const issues =
      action === 'syncLog.delete'
        ? [
            {
              rule: 'org_admin_cannot_delete' as const,
              severity: 'error' as const,
              path: [],
              message: decision.reason,
            },
          ]
        : [];
    throw new DomainError('FORBIDDEN', decision.reason, issues);
  }
}
