import { describe, expect, it } from 'vitest';
import { checkExternalReferenceIdFormat } from '../src/index.js';

describe('external_reference_id_format', () => {
  it('accepts Xledger numeric ids of 1–19 digits and Dynamics GUIDs, and no reference at all', () => {
    expect(checkExternalReferenceIdFormat('xledger', '1')).toEqual([]);
    expect(checkExternalReferenceIdFormat('xledger', '9223372036854775807')).toEqual([]);
    expect(checkExternalReferenceIdFormat('dynamics', '3F2504E0-4F89-11D3-9A0C-0305E82C3301')).toEqual([]);
    expect(checkExternalReferenceIdFormat('dynamics', null)).toEqual([]);
  });
  it('warns — never blocks — on another shape', () => {
    for (const [system, ref] of [
      ['xledger', '12345678901234567890'],
      ['xledger', 'JE-42'],
      ['dynamics', '12345'],
    ] as const) {
      const [issue] = checkExternalReferenceIdFormat(system, ref);
      expect(issue).toMatchObject({
        rule: 'external_reference_id_format',
        severity: 'warning',
        path: ['externalReferenceId'],
      });
    }
  });
});
