import { describe, expect, it } from 'vitest';
import { checkOrganizationIdExists } from '../src/index.js';

describe('organization_id_exists', () => {
  it('passes when the lookup found the organization', () => {
    expect(checkOrganizationIdExists('11111111-1111-4111-8111-111111111111', { id: 'x' })).toEqual([]);
  });
  it('fails on a missing organization, naming it', () => {
    for (const found of [null, undefined]) {
      expect(checkOrganizationIdExists('22222222-2222-4222-8222-222222222222', found)).toEqual([
        {
          rule: 'organization_id_exists',
          severity: 'error',
          path: ['organizationId'],
          message: 'Organization 22222222-2222-4222-8222-222222222222 does not exist',
        },
      ]);
    }
  });
});
