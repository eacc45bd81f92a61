import type { ValidationIssue } from '../errors.js';

/**
 * `organization_id_exists`: decided from the lookup the caller made (the domain does no I/O).
 * Pass whatever the lookup returned; `null`/`undefined` means no such organization.
 */
export function checkOrganizationIdExists(organizationId: string, found: unknown): ValidationIssue[] {
  if (found !== null && found !== undefined) return [];
  return [
    {
      rule: 'organization_id_exists',
      severity: 'error',
      path: ['organizationId'],
      message: `Organization ${organizationId} does not exist`,
    },
  ];
}
