import type { AccountingSystem } from '@meander/domain';

/** One system's posting settings as connection keys (see `posting-settings.ts`). */
export type DemoPostingSettings = Readonly<Record<'vatCodes' | 'dimensions' | 'employeeCredit', string>>;

/**
 * The demo organizations' posting settings per ledger (connection keys, see `posting-settings.ts`):
 * how each emulator's demo ledger books Meander's VAT categories and dimensions, and the employee as
 * the credit side. The two ledgers name things differently — Business Central VAT Prod. Posting
 * Groups and dimension codes, Xledger tax rules and the import item's GL object fields — so each
 * has its own. One definition for every place that seeds or tests the demo; the emulators' demo
 * ledgers are built to match it.
 */
export const DEMO_POSTING_SETTINGS = {
  dynamics: {
    vatCodes: 'HIGH=S25,MEDIUM=S15,LOW=S12,ZERO=S0,EXEMPT=E0',
    dimensions: 'department=DEPARTMENT,project=PROJECT',
    employeeCredit: 'employee',
  },
  xledger: {
    // Tax rules 1 = 25 %, 11 = 15 %, 13 = 12 %, 0 = no VAT; departments in GL object 1.
    vatCodes: 'HIGH=1,MEDIUM=11,LOW=13,ZERO=0,EXEMPT=0',
    dimensions: 'department=glObject1,project=project',
    employeeCredit: 'employee',
  },
} as const satisfies Readonly<Record<AccountingSystem, DemoPostingSettings>>;
