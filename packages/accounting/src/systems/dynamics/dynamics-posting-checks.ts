import { AccountingError, type ConnectionCheckItem } from '../../port.js';
import { postingSettingsOf } from '../../posting-settings.js';
import { type DynamicsApi, getJson, valuesOf } from './dynamics-api.js';
import type { DynamicsMasterData } from './dynamics-master-data.js';

/**
 * Read-only checks of the posting model's settings against the company: every mapped VAT code is a
 * VAT Prod. Posting Group (`taxGroups`), every mapped dimension exists (values are checked per
 * record: Meander's values are free, the pre-flight refuses an unknown one), and — with
 * `employeeCredit=employee` — that employees can be read (each record's employee is checked by
 * the pre-flight; no setting names them). Run when the connection sets any of `vatCodes`,
 * `dimensions`, `employeeCredit`.
 */
export async function postingModelChecks(
  api: DynamicsApi,
  masterData: DynamicsMasterData,
  signal: AbortSignal | undefined,
): Promise<ConnectionCheckItem[]> {
  const settings = postingSettingsOf(api.connection);
  const failed = (error: unknown) => (error instanceof AccountingError ? error.message : String(error));
  const checks: ConnectionCheckItem[] = [];

  const vat = Object.entries(settings.vatCodes).map(([category, code]) => [category, code.toUpperCase()]);
  if (vat.length === 0) {
    checks.push({
      name: 'vat_codes',
      ok: true,
      message:
        'No VAT mapping (setting vatCodes): lines of ZERO/EXEMPT without VAT post without a VAT code; a line with VAT is refused until its category is mapped, e.g. "HIGH=S25,MEDIUM=S15,LOW=S12,ZERO=S0,EXEMPT=E0"',
    });
  } else {
    try {
      const known = new Map<string, boolean>();
      await masterData.lookUp(known, [...new Set(vat.map(([, c]) => c ?? ''))], 'taxGroups', 'code', signal);
      const missing = vat.filter(([, code]) => !known.get(code ?? ''));
      checks.push({
        name: 'vat_codes',
        ok: missing.length === 0,
        message:
          missing.length === 0
            ? `Every mapped VAT code is a VAT Prod. Posting Group: ${vat.map(([k, c]) => `${k}→${c}`).join(', ')}`
            : `Not a VAT Prod. Posting Group of the company (setting vatCodes): ${missing.map(([k, c]) => `${k}→${c}`).join(', ')}`,
      });
    } catch (error) {
      checks.push({
        name: 'vat_codes',
        ok: false,
        message: `VAT codes (setting vatCodes): ${failed(error)}`,
      });
    }
  }

  const dimensions = Object.entries(settings.dimensions).map(([key, code]) => [key, code.toUpperCase()]);
  if (dimensions.length > 0) {
    try {
      const missing: string[] = [];
      const found: string[] = [];
      for (const [key, code = ''] of dimensions) {
        const values = await masterData.dimensionValues(code, signal);
        if (values === null) missing.push(`${key}→${code}`);
        else found.push(`${key}→${code} (${[...values].join(', ') || 'no values'})`);
      }
      checks.push({
        name: 'dimensions',
        ok: missing.length === 0,
        message:
          missing.length === 0
            ? `Every mapped dimension exists: ${found.join('; ')}`
            : `Not a dimension of the company (setting dimensions): ${missing.join(', ')}`,
      });
    } catch (error) {
      checks.push({
        name: 'dimensions',
        ok: false,
        message: `Dimensions (setting dimensions): ${failed(error)}`,
      });
    }
  }

  if (settings.employeeCredit === 'employee') {
    try {
      const body = await getJson(api, `${api.client.companyPath}/employees?$top=1`, signal);
      const any = valuesOf(body, 'employees').length > 0;
      checks.push({
        name: 'employees',
        ok: any,
        message: any
          ? "Employees can be read; each record's employee is checked before it is posted (employeeCredit=employee)"
          : 'The company has no employees: records with an employee would be refused — create them, or set employeeCredit=balancing_account',
      });
    } catch (error) {
      checks.push({ name: 'employees', ok: false, message: `Employees: ${failed(error)}` });
    }
  }
  return checks;
}
