import { describe, expect, it } from 'vitest';
import {
  ACCOUNTING_SYSTEM_DESCRIPTIONS,
  ACCOUNTING_SYSTEMS,
  accountingSystemLabel,
  checkExternalReferenceIdFormat,
  EXTERNAL_REFERENCE_FORMATS,
} from '../src/index.js';

describe('ACCOUNTING_SYSTEM_DESCRIPTIONS', () => {
  it('describes exactly the systems of the enum', () => {
    expect(Object.keys(ACCOUNTING_SYSTEM_DESCRIPTIONS).sort()).toEqual([...ACCOUNTING_SYSTEMS].sort());
    expect(Object.keys(EXTERNAL_REFERENCE_FORMATS).sort()).toEqual([...ACCOUNTING_SYSTEMS].sort());
  });

  it('gives each system its display name', () => {
    expect(accountingSystemLabel('xledger')).toBe('Xledger');
    expect(accountingSystemLabel('dynamics')).toBe('Business Central');
  });

  it("words the reference-format warning with the system's own description", () => {
    const [xledger] = checkExternalReferenceIdFormat('xledger', 'JE-42');
    expect(xledger?.message).toBe(
      'externalReferenceId "JE-42" is not a numeric id of 1–19 digits as xledger returns',
    );
    const [dynamics] = checkExternalReferenceIdFormat('dynamics', '12345');
    expect(dynamics?.message).toBe('externalReferenceId "12345" is not a GUID as dynamics returns');
  });
});
