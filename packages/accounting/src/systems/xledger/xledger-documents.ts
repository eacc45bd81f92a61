import { createHash } from 'node:crypto';
import type { ExportRecord } from '@meander/domain';
import { minorUnitsToDecimal } from '../../decimal-amount.js';
import type { PlannedDocument } from '../../port.js';
import type { XledgerConnection } from './xledger-connection.js';

// The GraphQL documents the adapter sends; arguments travel as variables, so no record text is
// ever spliced into a query. Names are those of public clients: `[AddGLImportItemsInput!]!` and
// `edges { clientId node { … } }` (grasp-labs glImportItems/create), `<Entity>_Filter` filter
// types (onecore), `pageInfo { hasNextPage }` (go-xledger, grasp-labs).

/** Post items; each edge echoes its input's `clientId`, which is how results are matched to lines. */
export const ADD_GL_IMPORT_ITEMS = `mutation AddGLImportItems($inputs: [AddGLImportItemsInput!]!) {
  addGLImportItems(inputs: $inputs) { edges { clientId node { dbId extIdentifier } } }
}`;

/** Find items by `extIdentifier`: how a lost answer or an earlier attempt is recovered. */
export const GL_IMPORT_ITEMS_BY_EXT_IDENTIFIER = `query GLImportItemsByExtIdentifier($first: Int, $after: String, $filter: GLImportItem_Filter) {
  glImportItems(first: $first, after: $after, filter: $filter) {
    edges { cursor node { dbId extIdentifier trRegNumber } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Booked lines by `extIdentifier` (grasp-labs `journalEntries/read`): the proof an item was processed. */
export const JOURNAL_ENTRIES_BY_EXT_IDENTIFIER = `query JournalEntriesByExtIdentifier($first: Int, $after: String, $filter: JournalEntry_Filter) {
  journalEntries(first: $first, after: $after, filter: $filter) {
    edges { cursor node { dbId extIdentifier } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * A read-back in one request (two root fields, GraphQL spec §5.3 / "Batch imports sensibly",
 * help centre article 33393587744786): the lines already booked, and the import items staged or
 * still listed, by `extIdentifier`. Either connection is continued on its own when it has more pages.
 */
export const LEDGER_STATE_BY_EXT_IDENTIFIER = `query LedgerStateByExtIdentifier($first: Int, $entries: JournalEntry_Filter, $items: GLImportItem_Filter) {
  journalEntries(first: $first, filter: $entries) {
    edges { cursor node { dbId extIdentifier } }
    pageInfo { hasNextPage endCursor }
  }
  glImportItems(first: $first, filter: $items) {
    edges { cursor node { dbId extIdentifier } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Whether imported items were processed, in one request: their journal entries and their errors. */
export const PROCESSING_STATE = `query ProcessingState($first: Int, $entries: JournalEntry_Filter, $errors: GLImportItemError_Filter) {
  journalEntries(first: $first, filter: $entries) {
    edges { cursor node { dbId extIdentifier } }
    pageInfo { hasNextPage endCursor }
  }
  glImportItemErrors(first: $first, filter: $errors) {
    edges { cursor node { dbId message transactionDbId } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Processing errors of staged import items. */
export const GL_IMPORT_ITEM_ERRORS = `query GLImportItemErrors($first: Int, $after: String, $filter: GLImportItemError_Filter) {
  glImportItemErrors(first: $first, after: $after, filter: $filter) {
    edges { cursor node { dbId message transactionDbId } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** Which of these account codes the chart of accounts holds. */
export const ACCOUNTS_BY_CODE = `query AccountsByCode($first: Int, $after: String, $filter: Account_Filter) {
  accounts(first: $first, after: $after, filter: $filter) {
    edges { cursor node { dbId code } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The cheapest authenticated read: proves the endpoint, the token and the credits. */
export const CONNECTION_CHECK = `query ConnectionCheck {
  glImportItems(first: 1) { pageInfo { hasNextPage } }
}`;

/** Suffix of a record's contra (balancing) line's `extIdentifier`. */
export const CONTRA_SUFFIX = ':contra';

/** One GL import line of a voucher: its key is its `extIdentifier` and its `clientId`. */
export interface XledgerLine {
  key: string;
  recordId: string;
  contra: boolean;
  account: string;
  amount: string;
  currency: string;
}

/** Suffix of the key a reversal posts under: never the key of the posting it reverses. */
export const REVERSAL_SUFFIX = ':reversal';

/**
 * The key a record's voucher is booked and read back under: the record id, or for a reversal
 * the record id + {@link REVERSAL_SUFFIX}, so a reversal is found (and never posted twice) by its
 * own key and never mistaken for the posting it reverses.
 */
export function voucherKeyOf(record: Pick<ExportRecord, 'id' | 'reversal'>): string {
  return record.reversal ? `${record.id}${REVERSAL_SUFFIX}` : record.id;
}

/**
 * The two lines of a record's voucher: the expense, and the contra line that balances it. A
 * reversal negates both.
 */
export function linesFor(record: ExportRecord, connection: XledgerConnection): [XledgerLine, XledgerLine] {
  const key = voucherKeyOf(record);
  const sign = record.reversal ? -1 : 1;
  return [
    {
      key,
      recordId: record.id,
      contra: false,
      account: record.account,
      amount: minorUnitsToDecimal(sign * record.amountMinor, record.currency),
      currency: record.currency,
    },
    {
      key: `${key}${CONTRA_SUFFIX}`,
      recordId: record.id,
      contra: true,
      account: connection.contraAccount,
      amount: minorUnitsToDecimal(-sign * record.amountMinor, record.currency),
      currency: record.currency,
    },
  ];
}

/** The voucher a record becomes, as the pre-flight shows it. */
export function plannedDocumentFor(record: ExportRecord, connection: XledgerConnection): PlannedDocument {
  return {
    documentNumber: voucherKeyOf(record),
    postingDate: record.bookingDate,
    recordIds: [record.id],
    ...(record.reversal ? { reversal: true } : {}),
    lines: linesFor(record, connection).map((line) => ({
      account: line.account,
      amount: line.amount,
      currency: line.currency,
      ...(line.contra ? {} : { recordId: line.recordId }),
    })),
  };
}

/** One input of `addGLImportItems(inputs: …)`. */
export interface GlImportItemInput {
  clientId: string;
  node: {
    transactionSource: { code: string };
    extIdentifier: string;
    postedDate: string;
    account: { code: string };
    amount: string;
    currency: { code: string };
    text?: string;
    trRegNumber: number;
    invoiceNumber: string;
  };
}

/** The mutation input for one line; the amount is a decimal string, never a float. */
export function toGlImportItemInput(
  line: XledgerLine,
  record: ExportRecord,
  connection: XledgerConnection,
  trRegNumber: number,
): GlImportItemInput {
  return {
    clientId: line.key,
    node: {
      transactionSource: { code: connection.transactionSource },
      extIdentifier: line.key,
      postedDate: record.bookingDate,
      account: { code: line.account },
      amount: line.amount,
      currency: { code: line.currency },
      ...(record.description ? { text: record.description } : {}),
      trRegNumber,
      // Both lines of a record's voucher carry the record id, as the help centre's example pair
      // shares one invoice number: it is what ties the pair into one voucher.
      invoiceNumber: voucherKeyOf(record),
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
