import { scaled, unscaled } from './xledger-amounts.js';

// The entity's master data the posting model refers to: tax rules, GL object values, projects and
// employees. Sources (see the emulator tests, which cite them again):
// - V: tax rules are object values of the object kind named `TAX_RULE` (go-xledger
//   `tax_rules_test.go`: `objectKinds` → `objectValues(filter: {objectKindDbId})`).
// - V: `objectValues` nodes carry `dbId`, `code`, `description`, `objectKindDbId` (grasp-labs
//   `objectValues/read/metadata.json`); `employees` nodes `dbId`, `code`, `description` and a
//   `subledger_dbId` (grasp-labs `employees/read/metadata.json`); `projects` is an entity
//   (grasp-labs `projects/read`).
// - I: each tax rule has a rate and books its VAT to one account; the demo codes follow the
//   Norwegian SAF-T standard VAT codes for deductible input VAT (1 = 25 %, 11 = 15 %, 13 = 12 %,
//   0 = no VAT).

/** One tax rule: its code, its rate in whole percent, and the account its VAT is booked to. */
export interface XledgerTaxRule {
  code: string;
  description: string;
  ratePercent: number;
  /** Absent for a rule that books no VAT (0 %). */
  vatAccount?: string;
}

/** The entity's master data: what the GL import item fields `taxRule`, `glObject1`–`5`, `project` and `subledger` may name. */
export interface XledgerMasterData {
  taxRules: readonly XledgerTaxRule[];
  /** Values of each GL object field (`glObject1` … `glObject5`) by the object kind it holds. */
  glObjects: Readonly<Partial<Record<GlObjectField, { kind: string; values: readonly string[] }>>>;
  projects: readonly string[];
  /** Employees by code; each is also a sub-ledger (`subledger { code }`). */
  employees: readonly string[];
}

export const GL_OBJECT_FIELDS = ['glObject1', 'glObject2', 'glObject3', 'glObject4', 'glObject5'] as const;
type GlObjectField = (typeof GL_OBJECT_FIELDS)[number];

/** The account the demo tax rules book input VAT to (added to the demo chart). */
export const DEMO_INPUT_VAT_ACCOUNT = '2710';
/** The account the demo output VAT rule books to. */
export const DEMO_OUTPUT_VAT_ACCOUNT = '2700';

/** The demo entity: VAT at 25/15/12/0 %, departments SALES and OPS in GL object 1, projects P100 and P200, employees E001–E010. */
export const DEMO_XLEDGER_MASTER_DATA: XledgerMasterData = {
  taxRules: [
    { code: '1', description: 'Input VAT, high rate', ratePercent: 25, vatAccount: DEMO_INPUT_VAT_ACCOUNT },
    {
      code: '11',
      description: 'Input VAT, medium rate',
      ratePercent: 15,
      vatAccount: DEMO_INPUT_VAT_ACCOUNT,
    },
    { code: '13', description: 'Input VAT, low rate', ratePercent: 12, vatAccount: DEMO_INPUT_VAT_ACCOUNT },
    { code: '0', description: 'No VAT', ratePercent: 0 },
    // V: onecore's xledger-adapter.ts posts `taxRule: {code: "2"}` (I: output VAT at 25 %).
    { code: '2', description: 'Output VAT, high rate', ratePercent: 25, vatAccount: DEMO_OUTPUT_VAT_ACCOUNT },
  ],
  glObjects: { glObject1: { kind: 'DEPARTMENT', values: ['SALES', 'OPS'] } },
  projects: ['P100', 'P200'],
  employees: Array.from({ length: 10 }, (_, i) => `E${String(i + 1).padStart(3, '0')}`),
};

/** The object kinds the emulator serves (`objectKinds`), with stable ids. */
const TAX_RULE_KIND = { dbId: '700001', name: 'TAX_RULE' } as const;

/** One readable row: an object value, a project or an employee. */
export interface MasterDataRow {
  dbId: string;
  code: string;
  description: string;
  objectKindDbId?: string;
}

/** Lookups and readable lists over the entity's master data. */
export class XledgerMasterDataIndex {
  readonly objectKinds: readonly { dbId: string; name: string }[];
  readonly objectValues: readonly MasterDataRow[];
  readonly projects: readonly MasterDataRow[];
  readonly employees: readonly MasterDataRow[];

  constructor(readonly data: XledgerMasterData) {
    const kinds = new Map<string, string>([[TAX_RULE_KIND.name, TAX_RULE_KIND.dbId]]);
    for (const field of GL_OBJECT_FIELDS) {
      const kind = data.glObjects[field]?.kind;
      if (kind && !kinds.has(kind)) kinds.set(kind, String(700_001 + kinds.size));
    }
    this.objectKinds = [...kinds].map(([name, dbId]) => ({ dbId, name }));
    let next = 710_001;
    this.objectValues = [
      ...data.taxRules.map((r) => ({
        dbId: String(next++),
        code: r.code,
        description: r.description,
        objectKindDbId: TAX_RULE_KIND.dbId,
      })),
      ...GL_OBJECT_FIELDS.flatMap((field) => {
        const object = data.glObjects[field];
        if (!object) return [];
        return object.values.map((code) => ({
          dbId: String(next++),
          code,
          description: `${object.kind} ${code}`,
          objectKindDbId: kinds.get(object.kind) ?? '',
        }));
      }),
    ];
    this.projects = data.projects.map((code, i) => ({
      dbId: String(720_001 + i),
      code,
      description: `Project ${code}`,
    }));
    this.employees = data.employees.map((code, i) => ({
      dbId: String(730_001 + i),
      code,
      description: `Employee ${code}`,
    }));
  }

  taxRule(code: string): XledgerTaxRule | undefined {
    return this.data.taxRules.find((r) => r.code === code);
  }

  hasEmployee(code: string): boolean {
    return this.data.employees.includes(code);
  }

  /** Whether the GL import item field `field` (`glObjectN` or `project`) may carry `value`. */
  hasDimensionValue(field: string, value: string): boolean {
    if (field === 'project') return this.data.projects.includes(value);
    return this.data.glObjects[field as GlObjectField]?.values.includes(value) ?? false;
  }
}

/**
 * The VAT an item's amount includes under `rule`: its `taxAmount` when sent (I: Xledger takes the
 * VAT the document states), else the amount × rate / (100 + rate), rounded half away from zero to
 * the cent (I).
 */
export function vatOf(amount: string, taxAmount: string | null, rule: XledgerTaxRule): string {
  if (taxAmount !== null) return taxAmount;
  // VAT in millionths is gross × rate / (100 + rate); in cents, divide by a further 10,000.
  const numerator = scaled(amount) * BigInt(rule.ratePercent);
  const denominator = BigInt(100 + rule.ratePercent) * 10_000n;
  const half = numerator < 0n ? -denominator : denominator;
  const cents = (2n * numerator + half) / (2n * denominator);
  return unscaled(cents * 10_000n);
}
