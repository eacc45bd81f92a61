/**
 * The demo organizations' posting settings (connection keys, see `posting-settings.ts`): how the
 * emulators' demo ledgers book Meander's VAT categories and dimensions, and the employee as the
 * credit side. One definition for both demo systems and every place that seeds or tests the demo,
 * so a change of the demo ledgers' codes is made here only.
 */
export const DEMO_POSTING_SETTINGS = {
  vatCodes: 'HIGH=S25,MEDIUM=S15,LOW=S12,ZERO=S0,EXEMPT=E0',
  dimensions: 'department=DEPARTMENT,project=PROJECT',
  employeeCredit: 'employee',
} as const satisfies Readonly<Record<'vatCodes' | 'dimensions' | 'employeeCredit', string>>;
