import { isObject } from '../../http/json-body.js';
import { SyncScopedReads } from '../../sync-scoped-reads.js';
import { type DynamicsApi, getJson, quote, valuesOf } from './dynamics-api.js';
import { type DocumentPlan, POSTING_MODEL_CODES } from './dynamics-document-plan.js';

/** Keys per `$filter`, so the URL stays far below common limits. */
const KEYS_PER_QUERY = 20;

/** What the company holds of the codes a set of documents names. */
export interface KnownMasterData {
  /** The refusal of a document that names a code the company lacks (what Business Central would say). */
  refusal(plan: DocumentPlan): { code: string; reason: string } | undefined;
}

interface Reads {
  vatCodes: Map<string, boolean>;
  /** Dimension code → its value codes (null: no such dimension). */
  dimensions: Map<string, Set<string> | null>;
  employees: Map<string, boolean>;
}

/**
 * Read-only look-ups of the master data the posting model names: VAT Prod. Posting Groups
 * (`taxGroups`, which lists them when the company uses VAT — V: BCApps `APIV2TaxGroups.Page.al`),
 * dimensions and their values (`dimensions`, `dimensions({id})/dimensionValues`) and employees
 * (`employees`, table 5200). Each code is asked about once per sync.
 */
export class DynamicsMasterData {
  private readonly reads = new SyncScopedReads<Reads>(() => ({
    vatCodes: new Map(),
    dimensions: new Map(),
    employees: new Map(),
  }));

  constructor(private readonly api: DynamicsApi) {}

  async known(
    plans: readonly DocumentPlan[],
    syncLogId: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<KnownMasterData> {
    const reads = this.reads.for(syncLogId);
    const vat = new Set<string>();
    const dimensions = new Set<string>();
    const employees = new Set<string>();
    for (const plan of plans) {
      if (plan.credit.type === 'Employee') employees.add(plan.credit.number);
      for (const line of plan.lines) {
        if (line.vatCode !== undefined) vat.add(line.vatCode);
        for (const code of Object.keys(line.dimensions)) dimensions.add(code);
      }
    }
    await this.lookUp(reads.vatCodes, [...vat], 'taxGroups', 'code', signal);
    await this.lookUp(reads.employees, [...employees], 'employees', 'number', signal);
    for (const code of dimensions) {
      if (!reads.dimensions.has(code)) reads.dimensions.set(code, await this.dimensionValues(code, signal));
    }
    return {
      refusal: (plan) => {
        if (plan.credit.type === 'Employee' && !reads.employees.get(plan.credit.number)) {
          return {
            code: POSTING_MODEL_CODES.unknownEmployee,
            reason: `The Employee does not exist. Identification fields and values: No.='${plan.credit.number}'`,
          };
        }
        for (const line of plan.lines) {
          if (line.vatCode !== undefined && !reads.vatCodes.get(line.vatCode)) {
            return {
              code: POSTING_MODEL_CODES.unknownVatCode,
              reason: `The VAT Product Posting Group does not exist. Identification fields and values: Code='${line.vatCode}'`,
            };
          }
          for (const [code, value] of Object.entries(line.dimensions)) {
            const values = reads.dimensions.get(code);
            if (!values?.has(value)) {
              return {
                code: POSTING_MODEL_CODES.unknownDimensionValue,
                reason: values
                  ? `The Dimension Value does not exist. Identification fields and values: Dimension Code='${code}',Code='${value}'`
                  : `The Dimension does not exist. Identification fields and values: Code='${code}'`,
              };
            }
          }
        }
        return undefined;
      },
    };
  }

  /** Whether each of `keys` exists in `entity` (by `field`), for those not asked about before. */
  async lookUp(
    into: Map<string, boolean>,
    keys: readonly string[],
    entity: string,
    field: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const unasked = keys.filter((k) => !into.has(k));
    for (let i = 0; i < unasked.length; i += KEYS_PER_QUERY) {
      const slice = unasked.slice(i, i + KEYS_PER_QUERY);
      const filter = slice.map((k) => `${field} eq '${quote(k)}'`).join(' or ');
      const body = await getJson(
        this.api,
        `${this.api.client.companyPath}/${entity}?$filter=${encodeURIComponent(filter)}`,
        signal,
      );
      const found = new Set(
        valuesOf(body, entity).flatMap((item) =>
          isObject(item) && typeof item[field] === 'string' ? [String(item[field]).toUpperCase()] : [],
        ),
      );
      for (const key of slice) into.set(key, found.has(key));
    }
  }

  /** The value codes of dimension `code`; null when the company has no such dimension. */
  async dimensionValues(code: string, signal: AbortSignal | undefined): Promise<Set<string> | null> {
    const filter = `code eq '${quote(code)}'`;
    const body = await getJson(
      this.api,
      `${this.api.client.companyPath}/dimensions?$filter=${encodeURIComponent(filter)}`,
      signal,
    );
    const dimension = valuesOf(body, 'dimensions').find(
      (d) => isObject(d) && typeof d.code === 'string' && d.code.toUpperCase() === code,
    );
    if (!isObject(dimension) || typeof dimension.id !== 'string') return null;
    const values = await getJson(
      this.api,
      `${this.api.client.companyPath}/dimensions(${dimension.id})/dimensionValues`,
      signal,
    );
    return new Set(
      valuesOf(values, 'dimensionValues').flatMap((v) =>
        isObject(v) && typeof v.code === 'string' ? [v.code.toUpperCase()] : [],
      ),
    );
  }
}
