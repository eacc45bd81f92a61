import type { VatCode } from '@meander/domain';
import type { ConnectionCheckItem } from '../../port.js';
import { postingSettingsOf } from '../../posting-settings.js';
import type { XledgerConnection } from './xledger-connection.js';
import { EMPLOYEES_BY_CODE, OBJECT_VALUES_BY_CODE, PROJECTS_BY_CODE } from './xledger-documents.js';
import type { XledgerReads } from './xledger-reads.js';
import type { XledgerLine } from './xledger-voucher.js';

/** Whether the organization set up the posting model (any of its settings is present). */
export function postingModelConfigured(connection: XledgerConnection): boolean {
  return (
    connection.vatCodes !== undefined ||
    connection.dimensions !== undefined ||
    connection.employeeCredit !== undefined
  );
}

/**
 * Read-only checks of the posting model: every mapped tax rule exists (tax rules are the object
 * values of the kind `TAX_RULE`, go-xledger `tax_rules_test.go`), the `project` field has projects
 * to name, and employees exist to credit. Dimension values and employees are named per line, so
 * each record's own are checked by Xledger when its items are processed (an unknown one is an
 * import item error, per record).
 */
export async function postingModelChecks(
  connection: XledgerConnection,
  reads: XledgerReads,
  signal: AbortSignal | undefined,
): Promise<ConnectionCheckItem[]> {
  const settings = postingSettingsOf(connection);
  return [
    await taxRuleCheck(settings.vatCodes, reads, signal),
    await dimensionCheck(settings.dimensions, reads, signal),
    ...(settings.employeeCredit === 'employee' ? [await employeeCheck(reads, signal)] : []),
  ];
}

async function taxRuleCheck(
  vatCodes: Partial<Record<VatCode, string>>,
  reads: XledgerReads,
  signal: AbortSignal | undefined,
): Promise<ConnectionCheckItem> {
  const mapped = Object.entries(vatCodes) as [VatCode, string][];
  if (mapped.length === 0) {
    return {
      name: 'vat_codes',
      ok: true,
      message:
        'No VAT category is mapped (connection setting vatCodes): lines with VAT are refused, lines without post without a tax rule',
    };
  }
  const kind = await reads.objectKindDbId('TAX_RULE', signal);
  const found =
    kind === undefined
      ? new Set<string>()
      : await reads.existingCodes(
          OBJECT_VALUES_BY_CODE,
          'objectValues',
          [...new Set(mapped.map(([, c]) => c))],
          signal,
          {
            objectKindDbId: kind,
          },
        );
  const missing = mapped.filter(([, code]) => !found.has(code));
  if (missing.length > 0) {
    return {
      name: 'vat_codes',
      ok: false,
      message: `No tax rule ${missing.map(([category, code]) => `${code} (${category})`).join(', ')} in Xledger: correct the connection setting vatCodes or create the tax rules`,
    };
  }
  return {
    name: 'vat_codes',
    ok: true,
    message: `Tax rules ${mapped.map(([category, code]) => `${category} → ${code}`).join(', ')} exist`,
  };
}

async function dimensionCheck(
  dimensions: Partial<Record<string, string>>,
  reads: XledgerReads,
  signal: AbortSignal | undefined,
): Promise<ConnectionCheckItem> {
  const mapped = Object.entries(dimensions).filter((e): e is [string, string] => e[1] !== undefined);
  if (mapped.length === 0) {
    return {
      name: 'dimensions',
      ok: true,
      message: 'No dimension is mapped (connection setting dimensions): lines with dimensions are refused',
    };
  }
  const listing = mapped.map(([key, field]) => `${key} → ${field}`).join(', ');
  if (mapped.some(([, field]) => field === 'project')) {
    const projects = await firstCodes(reads, PROJECTS_BY_CODE, 'projects', signal);
    if (projects.length === 0) {
      return {
        name: 'dimensions',
        ok: false,
        message: `The connection setting dimensions maps to the project field (${listing}), but Xledger lists no project`,
      };
    }
  }
  return {
    name: 'dimensions',
    ok: true,
    message: `Dimensions go in ${listing}; each line's values are checked by Xledger when imported`,
  };
}

async function employeeCheck(
  reads: XledgerReads,
  signal: AbortSignal | undefined,
): Promise<ConnectionCheckItem> {
  const employees = await firstCodes(reads, EMPLOYEES_BY_CODE, 'employees', signal);
  return employees.length === 0
    ? {
        name: 'employees',
        ok: false,
        message:
          'The credit goes to the employee (connection setting employeeCredit), but Xledger lists no employee: create them, or set employeeCredit to balancing_account',
      }
    : {
        name: 'employees',
        ok: true,
        message: `Xledger lists employees (first: ${employees.join(', ')}); each record's employee is its credit line's sub-ledger`,
      };
}

/** The codes on the first page of a connection (read once, unfiltered). */
async function firstCodes(
  reads: XledgerReads,
  query: string,
  field: string,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const data = await reads.read(query, { first: 3 }, signal);
  const connection = data?.[field] as { edges?: { node?: { code?: unknown } }[] } | undefined;
  return (connection?.edges ?? []).flatMap((e) => (typeof e.node?.code === 'string' ? [e.node.code] : []));
}

/** Where a line's master data lives: the employee (sub-ledger), a project, a GL object value. */
type MasterDataKind = 'employee' | 'project' | 'glObject';

const LOOKUPS: Record<MasterDataKind, { query: string; field: string }> = {
  employee: { query: EMPLOYEES_BY_CODE, field: 'employees' },
  project: { query: PROJECTS_BY_CODE, field: 'projects' },
  glObject: { query: OBJECT_VALUES_BY_CODE, field: 'objectValues' },
};

/** Per sync: whether each employee, project and GL object value asked about so far exists (`kind:code`). */
export type MasterDataAnswers = Map<string, boolean>;

/**
 * The first employee, project or GL object value of a voucher Xledger would not know, read with
 * one filtered request per kind for the codes this sync has not asked about yet. A GL object value
 * is looked up among all object values (I: which object kind an entity keeps in `glObject1`…`5`
 * is its own set-up, not readable through a public query), so this only predicts: processing
 * still decides.
 */
export async function unknownMasterData(
  vouchers: readonly { lines: readonly XledgerLine[] }[],
  reads: XledgerReads,
  answered: MasterDataAnswers,
  signal: AbortSignal | undefined,
): Promise<Map<readonly XledgerLine[], string>> {
  const wanted = (lines: readonly XledgerLine[]) =>
    lines.flatMap((line): [MasterDataKind, string, string][] => [
      ...(line.subledger !== undefined
        ? [['employee', line.subledger, `Employee ${line.subledger}`] as [MasterDataKind, string, string]]
        : []),
      ...Object.entries(line.dimensions ?? {}).map(([field, value]): [MasterDataKind, string, string] =>
        field === 'project'
          ? ['project', value, `Project ${value}`]
          : ['glObject', value, `${field} value ${value}`],
      ),
    ]);
  for (const kind of Object.keys(LOOKUPS) as MasterDataKind[]) {
    const codes = [
      ...new Set(
        vouchers.flatMap((v) =>
          wanted(v.lines)
            .filter(([k, code]) => k === kind && !answered.has(`${k}:${code}`))
            .map(([, code]) => code),
        ),
      ),
    ];
    if (codes.length === 0) continue;
    const found = await reads.existingCodes(LOOKUPS[kind].query, LOOKUPS[kind].field, codes, signal);
    for (const code of codes) answered.set(`${kind}:${code}`, found.has(code));
  }
  const unknown = new Map<readonly XledgerLine[], string>();
  for (const { lines } of vouchers) {
    const missing = wanted(lines).find(([kind, code]) => answered.get(`${kind}:${code}`) === false);
    if (missing) unknown.set(lines, `${missing[2]} does not exist in Xledger`);
  }
  return unknown;
}
