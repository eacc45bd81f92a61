import { VAT_CODES } from '@meander/domain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEMO_POSTING_SETTINGS } from '../src/demo-posting-settings.js';
import { postingSettingsOf, postingSettingsShape } from '../src/posting-settings.js';

describe('the demo posting settings', () => {
  it.each([
    [
      'dynamics',
      { HIGH: 'S25', MEDIUM: 'S15', LOW: 'S12', ZERO: 'S0', EXEMPT: 'E0' },
      { department: 'DEPARTMENT', project: 'PROJECT' },
    ],
    [
      'xledger',
      { HIGH: '1', MEDIUM: '11', LOW: '13', ZERO: '0', EXEMPT: '0' },
      { department: 'glObject1', project: 'project' },
    ],
  ] as const)(
    '%s: parse as connection settings, every VAT category mapped, department and project mapped, the employee credited',
    (system, vatCodes, dimensions) => {
      const parsed = postingSettingsOf(z.object(postingSettingsShape).parse(DEMO_POSTING_SETTINGS[system]));
      expect(parsed).toEqual({ vatCodes, dimensions, employeeCredit: 'employee' });
      // A demo record of any category can be booked: none is refused for an unmapped category.
      expect(VAT_CODES.filter((code) => parsed.vatCodes[code] === undefined)).toEqual([]);
    },
  );
});
