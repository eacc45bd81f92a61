import { createHash } from 'node:crypto';
import type { ExportRecord } from '@meander/domain';
import type { PlannedDocument, PlannedLine } from '../../port.js';
import type { XledgerConnection, XledgerDimensionField } from './xledger-connection.js';
import { voucherKeyOf, type XledgerLine } from './xledger-voucher.js';

// The GraphQL documents the adapter sends; arguments travel as variables, so no record text is
// ever spliced into a query. Names are those of public clients: `[AddGLImportItemsInput!]!` and
// `edges { clientId node { … } }` (grasp-labs glImportItems/create), `<Entity>_Filter` filter
// types (onecore), `pageInfo { hasNextPage }` (go-xledger, grasp-labs).

/** Post items; each edge echoes its input's `clientId`, which is how results are matched to lines. */
export const ADD_GL_IMPORT_ITEMS = `mutation AddGLImportItems($inputs: [AddGLImportItemsInput!]!) {
  addGLImportItems(inputs: $inputs) { edges { clientId node { dbId extIdentifier } } }
}`;

/** One page of a connection: each node's `fields`, and whether (and after which cursor) more follow. */
function page(field: string, args: string, fields: string): string {
  return `${field}(${args}) {
    edges { cursor node { ${fields} } }
    pageInfo { hasNextPage endCursor }
  }`;
}

/** A paged list of `field`, filtered by `filterType` (none: every node); pages go on `after` a cursor. */
function listQuery(name: string, field: string, fields: string, filterType?: string): string {
  const filter = filterType ? [`$filter: ${filterType}`, 'filter: $filter'] : [];
  const variables = ['$first: Int', '$after: String', filter[0]].filter(Boolean).join(', ');
  const args = ['first: $first', 'after: $after', filter[1]].filter(Boolean).join(', ');
  return `query ${name}(${variables}) {\n  ${page(field, args, fields)}\n}`;
}

/** Find items by `extIdentifier`: how a lost answer or an earlier attempt is recovered. */
export const GL_IMPORT_ITEMS_BY_EXT_IDENTIFIER = listQuery(
  'GLImportItemsByExtIdentifier',
  'glImportItems',
  'dbId extIdentifier trRegNumber',
  'GLImportItem_Filter',
);

/** Booked lines by `extIdentifier` (grasp-labs `journalEntries/read`): the proof an item was processed. */
export const JOURNAL_ENTRIES_BY_EXT_IDENTIFIER = listQuery(
  'JournalEntriesByExtIdentifier',
  'journalEntries',
  'dbId extIdentifier',
  'JournalEntry_Filter',
);

/**
 * A read-back in one request (two root fields, GraphQL spec §5.3 / "Batch imports sensibly",
 * help centre article 33393587744786): the lines already booked, and the import items staged or
 * still listed, by `extIdentifier`. Either connection is continued on its own when it has more pages.
 */
export const LEDGER_STATE_BY_EXT_IDENTIFIER = `query LedgerStateByExtIdentifier($first: Int, $entries: JournalEntry_Filter, $items: GLImportItem_Filter) {
  ${page('journalEntries', 'first: $first, filter: $entries', 'dbId extIdentifier')}
  ${page('glImportItems', 'first: $first, filter: $items', 'dbId extIdentifier')}
}`;

/** Whether imported items were processed, in one request: their journal entries and their errors. */
export const PROCESSING_STATE = `query ProcessingState($first: Int, $entries: JournalEntry_Filter, $errors: GLImportItemError_Filter) {
  ${page('journalEntries', 'first: $first, filter: $entries', 'dbId extIdentifier')}
  ${page('glImportItemErrors', 'first: $first, filter: $errors', 'dbId message transactionDbId')}
}`;

/** Processing errors of staged import items. */
export const GL_IMPORT_ITEM_ERRORS = listQuery(
  'GLImportItemErrors',
  'glImportItemErrors',
  'dbId message transactionDbId',
  'GLImportItemError_Filter',
);

/** Which of these account codes the chart of accounts holds. */
export const ACCOUNTS_BY_CODE = listQuery('AccountsByCode', 'accounts', 'dbId code', 'Account_Filter');

/** Object kinds by name: tax rules are object values of the kind `TAX_RULE` (go-xledger `tax_rules_test.go`). */
export const OBJECT_KINDS = listQuery('ObjectKinds', 'objectKinds', 'dbId name');

/** Object values (tax rules, GL object values) by kind and code (grasp-labs `objectValues/read`). */
export const OBJECT_VALUES_BY_CODE = listQuery(
  'ObjectValuesByCode',
  'objectValues',
  'dbId code',
  'ObjectValue_Filter',
);

/** Projects by code (grasp-labs `projects/read`). */
export const PROJECTS_BY_CODE = listQuery('ProjectsByCode', 'projects', 'dbId code', 'Project_Filter');

/** Employees by code (grasp-labs `employees/read`): each is a sub-ledger. */
export const EMPLOYEES_BY_CODE = listQuery('EmployeesByCode', 'employees', 'dbId code', 'Employee_Filter');

/** The cheapest authenticated read: proves the endpoint, the token and the credits. */
export const CONNECTION_CHECK = `query ConnectionCheck {
  glImportItems(first: 1) { pageInfo { hasNextPage } }
}`;

/**
 * The voucher a record becomes, as the pre-flight shows it: its expense lines (account, VAT
 * category, tax rule, VAT, dimensions by GL import item field) and the credit line — the
 * employee (`accountType: 'employee'`, booked on `contraAccount` with the employee as sub-ledger)
 * or `contraAccount`. A record without lines and without an employee shows as in earlier versions.
 */
export function plannedDocumentFor(record: ExportRecord, lines: readonly XledgerLine[]): PlannedDocument {
  const detailed = record.lines !== undefined || lines.some((l) => l.subledger !== undefined);
  return {
    documentNumber: voucherKeyOf(record),
    postingDate: record.bookingDate,
    recordIds: [record.id],
    ...(record.reversal ? { reversal: true } : {}),
    ...(record.receiptUrl ? { receiptUrl: record.receiptUrl } : {}),
    lines: lines.map((line): PlannedLine => {
      const plain = {
        account: line.account,
        amount: line.amount,
        currency: line.amountCurrency ?? line.currency,
      };
      if (line.contra) {
        if (line.subledger !== undefined)
          return { ...plain, account: line.subledger, accountType: 'employee' };
        return detailed ? { ...plain, accountType: 'balancing_account' } : plain;
      }
      if (!detailed) return { ...plain, recordId: line.recordId };
      return {
        ...plain,
        recordId: line.recordId,
        accountType: 'gl_account',
        ...(line.vatCategory ? { vatCategory: line.vatCategory } : {}),
        ...(line.taxRule !== undefined ? { vatCode: line.taxRule, vatAmount: line.taxAmount } : {}),
        ...(line.dimensions ? { dimensions: line.dimensions } : {}),
      };
    }),
  };
}

type Ref = { code: string };

/** One input of `addGLImportItems(inputs: …)` (field names: grasp-labs create metadata, go-xledger `GLImportItemInput`). */
export interface GlImportItemInput {
  clientId: string;
  node: {
    transactionSource: Ref;
    extIdentifier: string;
    postedDate: string;
    account: Ref;
    amount: string;
    currency: Ref;
    text?: string;
    trRegNumber: number;
    invoiceNumber: string;
    taxRule?: Ref;
    taxAmount?: string;
    invoiceAmount?: string;
    exchangeRate?: number;
    subledger?: Ref;
    glObject1?: Ref;
    glObject2?: Ref;
    glObject3?: Ref;
    glObject4?: Ref;
    glObject5?: Ref;
    project?: Ref;
  };
}

/** The mutation input for one line; amounts are decimal strings, never floats. */
export function toGlImportItemInput(
  line: XledgerLine,
  record: ExportRecord,
  connection: XledgerConnection,
  trRegNumber: number,
): GlImportItemInput {
  const text = line.text ?? record.description;
  const dimensions: Partial<Record<XledgerDimensionField, Ref>> = {};
  for (const [field, value] of Object.entries(line.dimensions ?? {}))
    dimensions[field as XledgerDimensionField] = { code: value };
  return {
    clientId: line.key,
    node: {
      transactionSource: { code: connection.transactionSource },
      extIdentifier: line.key,
      postedDate: record.bookingDate,
      account: { code: line.account },
      amount: line.amount,
      currency: { code: line.currency },
      // The GraphQL type of `exchangeRate` is Float (grasp-labs create metadata: "float"). A rate has
      // at most 15 significant digits (EXCHANGE_RATE_PATTERN), which a double holds exactly enough
      // that its JSON text is the rate's own digits: nothing is computed with it here.
      ...(line.exchangeRate !== undefined
        ? { invoiceAmount: line.invoiceAmount, exchangeRate: Number(line.exchangeRate) }
        : {}),
      ...(text ? { text } : {}),
      trRegNumber,
      // Every line of a record's voucher carries its key, as the help centre's example pair
      // shares one invoice number: it is what ties the lines into one voucher.
      invoiceNumber: voucherKeyOf(record),
      ...(line.taxRule !== undefined ? { taxRule: { code: line.taxRule }, taxAmount: line.taxAmount } : {}),
      ...(line.subledger !== undefined ? { subledger: { code: line.subledger } } : {}),
      ...dimensions,
    },
  };
}

/**
 * The caller-chosen `trRegNumber` (a positive Int32) groups every item of one sync. Derived from
 * the sync log id, so a retried or resumed push of the same sync carries the same number.
 */
export function registrationNumberFor(syncLogId: string): number {
  const digest = createHash('sha256').update(syncLogId).digest();
  return (digest.readUInt32BE(0) % 2_147_483_646) + 1;
}
