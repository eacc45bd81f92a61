import { VAT_CODES } from '@meander/domain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEMO_POSTING_SETTINGS } from '../src/demo-posting-settings.js';
import { postingSettingsOf, postingSettingsShape } from '../src/posting-settings.js';

describe('the demo posting settings', () => {
  it('parse as connection settings: every VAT category mapped, department and project mapped, the employee credited', () => {
    const parsed = postingSettingsOf(z.object(postingSettingsShape).parse(DEMO_POSTING_SETTINGS));
    expect(parsed).toEqual({
      vatCodes: { HIGH: 'S25', MEDIUM: 'S15', LOW: 'S12', ZERO: 'S0', EXEMPT: 'E0' },
      dimensions: { department: 'DEPARTMENT', project: 'PROJECT' },
      employeeCredit: 'employee',
    });
    // A demo record of any category can be booked: none is refused for an unmapped category.
    expect(VAT_CODES.filter((code) => parsed.vatCodes[code] === undefined)).toEqual([]);
  });
});
