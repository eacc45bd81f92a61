import { scaled, unscaled } from './xledger-amounts.js';

/** Where a GL import item stands: waiting to be processed, booked, or refused by processing. */
type XledgerItemStatus = 'staged' | 'processed' | 'error';

/** One GL import item the Xledger emulator holds (every item a mutation staged and nobody deleted). */
export interface XledgerLedgerItem {
  dbId: string;
  /** Not unique: Xledger documents no uniqueness of `extIdentifier` (spec: "extIdentifier is not documented as unique"). */
  extIdentifier: string | null;
  postedDate: string | null;
  accountCode: string | null;
  /** Decimal string, exactly as received. */
  amount: string | null;
  currency: string | null;
  /** The amount in `currency` and the rate `amount` was converted at, when the sender gave them. */
  invoiceAmount: string | null;
  exchangeRate: string | null;
  text: string | null;
  trRegNumber: number | null;
  transactionSource: string;
  invoiceNumber: string | null;
  /** The tax rule's code (`taxRule { code }`) and the VAT the amount includes (`taxAmount`). */
  taxRule: string | null;
  taxAmount: string | null;
  /** The sub-ledger the line is booked to (`subledger { code }`: here the employee). */
  subledger: string | null;
  /** Dimension values by the import item field that carried them (`glObject1`…`glObject5`, `project`). */
  dimensions: Readonly<Record<string, string>>;
  createdAt: string;
  /**
   * `staged` until processing, then `processed` (it became a journal entry) or `error` (see
   * `glImportItemErrors`; it stays staged until an accountant reprocesses or deletes it).
   */
  status: XledgerItemStatus;
}

/** One entry of the `glImportItemErrors` entity: why processing refused an import item. */
export interface XledgerImportError {
  dbId: string;
  /** The import item the error is about (I: the field that links an error to its item). */
  transactionDbId: string;
  message: string;
  createdAt: string;
}

/**
 * One booked line, as the `journalEntries` entity lists it (field names from the grasp-labs
 * `journalEntries/read` metadata). I: processing copies the import item's `extIdentifier`.
 */
export interface XledgerJournalEntry {
  dbId: string;
  extIdentifier: string | null;
  invoiceNumber: string | null;
  text: string | null;
  amount: string;
  postedDate: string;
  accountCode: string;
  /** The employee (sub-ledger) the entry is booked to, the tax rule, and the dimension values. */
  subledger: string | null;
  taxRule: string | null;
  dimensions: Readonly<Record<string, string>>;
  createdAt: string;
  /** The import item it was booked from (emulator bookkeeping; not served). */
  importItemDbId: string;
}

/** The emulator's Xledger ledger: import items, their processing errors and the journal entries, `dbId`s ascending. */
export class XledgerLedger {
  private readonly items = new Map<string, XledgerLedgerItem>();
  private readonly errors = new Map<string, XledgerImportError>();
  private readonly entries: XledgerJournalEntry[] = [];
  // Indexes, so a read-back or an error lookup costs what it returns, not the ledger's size.
  private readonly itemsByExtIdentifier = new Map<string, Set<XledgerLedgerItem>>();
  private readonly entriesByExtIdentifier = new Map<string, XledgerJournalEntry[]>();
  private readonly errorsByItem = new Map<string, XledgerImportError[]>();
  private nextDbId = 1_000_001;
  private nextErrorDbId = 9_000_001;
  private nextEntryDbId = 5_000_001;

  add(item: Omit<XledgerLedgerItem, 'dbId' | 'createdAt' | 'status'>): XledgerLedgerItem {
    const stored: XledgerLedgerItem = {
      ...item,
      dbId: String(this.nextDbId++),
      createdAt: new Date().toISOString(),
      status: 'staged',
    };
    this.items.set(stored.dbId, stored);
    if (stored.extIdentifier !== null) {
      const same = this.itemsByExtIdentifier.get(stored.extIdentifier) ?? new Set();
      same.add(stored);
      this.itemsByExtIdentifier.set(stored.extIdentifier, same);
    }
    return stored;
  }

  /** Record that processing refused `item`. */
  refuse(item: XledgerLedgerItem, message: string): void {
    item.status = 'error';
    const error = {
      dbId: String(this.nextErrorDbId++),
      transactionDbId: item.dbId,
      message,
      createdAt: new Date().toISOString(),
    };
    this.errors.set(error.dbId, error);
    this.errorsByItem.set(item.dbId, [...(this.errorsByItem.get(item.dbId) ?? []), error]);
  }

  /**
   * Book `item`: it becomes a journal entry carrying its `extIdentifier`. With `vat` the item's
   * amount includes VAT: the entry on its account is the amount less the VAT, and a second entry
   * (same `extIdentifier`, same tax rule) books the VAT to the tax rule's account.
   */
  book(item: XledgerLedgerItem, vat?: { account: string; amount: string }): void {
    item.status = 'processed';
    const amount = item.amount ?? '0';
    const entry = (accountCode: string, value: string, subledger: string | null) =>
      this.addEntry({
        dbId: String(this.nextEntryDbId++),
        extIdentifier: item.extIdentifier,
        invoiceNumber: item.invoiceNumber,
        text: item.text,
        amount: value,
        postedDate: item.postedDate ?? '',
        accountCode,
        subledger,
        taxRule: item.taxRule,
        dimensions: item.dimensions,
        createdAt: new Date().toISOString(),
        importItemDbId: item.dbId,
      });
    if (!vat) {
      entry(item.accountCode ?? '', amount, item.subledger);
      return;
    }
    entry(item.accountCode ?? '', unscaled(scaled(amount) - scaled(vat.amount)), item.subledger);
    entry(vat.account, unscaled(scaled(vat.amount)), null);
  }

  private addEntry(entry: XledgerJournalEntry): void {
    this.entries.push(entry);
    if (entry.extIdentifier !== null) {
      const same = this.entriesByExtIdentifier.get(entry.extIdentifier) ?? [];
      same.push(entry);
      this.entriesByExtIdentifier.set(entry.extIdentifier, same);
    }
  }

  /** Every account's balance and every sub-ledger's (employee's): see {@link balancesOf}. */
  balances(): XledgerBalances {
    return balancesOf(this.entries);
  }

  /** Forget the processing errors of `item` (it is about to be processed again). */
  clearErrors(item: XledgerLedgerItem): void {
    for (const error of this.errorsByItem.get(item.dbId) ?? []) this.errors.delete(error.dbId);
    this.errorsByItem.delete(item.dbId);
  }

  /** Delete a staged item and its errors (processed items are journal entries and stay). */
  remove(item: XledgerLedgerItem): void {
    this.clearErrors(item);
    this.items.delete(item.dbId);
    if (item.extIdentifier !== null) this.itemsByExtIdentifier.get(item.extIdentifier)?.delete(item);
  }

  /** Every item, in `dbId` order. */
  list(): XledgerLedgerItem[] {
    return [...this.items.values()];
  }

  listErrors(): XledgerImportError[] {
    return [...this.errors.values()];
  }

  listEntries(): XledgerJournalEntry[] {
    return [...this.entries];
  }

  /** Items with one of these `extIdentifier`s, in `dbId` order. */
  withExtIdentifiers(extIdentifiers: readonly string[]): XledgerLedgerItem[] {
    return byDbId([...new Set(extIdentifiers)].flatMap((e) => [...(this.itemsByExtIdentifier.get(e) ?? [])]));
  }

  /** Journal entries with one of these `extIdentifier`s, in `dbId` order. */
  entriesWithExtIdentifiers(extIdentifiers: readonly string[]): XledgerJournalEntry[] {
    return byDbId([...new Set(extIdentifiers)].flatMap((e) => this.entriesByExtIdentifier.get(e) ?? []));
  }

  /** Errors of these items, in `dbId` order. */
  errorsOf(itemDbIds: readonly string[]): XledgerImportError[] {
    return byDbId([...new Set(itemDbIds)].flatMap((id) => this.errorsByItem.get(id) ?? []));
  }

  reset(): void {
    this.items.clear();
    this.errors.clear();
    this.entries.length = 0;
    this.itemsByExtIdentifier.clear();
    this.entriesByExtIdentifier.clear();
    this.errorsByItem.clear();
    this.nextDbId = 1_000_001;
    this.nextErrorDbId = 9_000_001;
    this.nextEntryDbId = 5_000_001;
  }
}

function byDbId<T extends { dbId: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => (BigInt(a.dbId) < BigInt(b.dbId) ? -1 : 1));
}

/** Balances by account code and by sub-ledger (employee) code, as exact decimal strings. */
export interface XledgerBalances {
  accounts: Record<string, string>;
  subledgers: Record<string, string>;
}

/**
 * Every account's balance, and every sub-ledger's (employee's), from journal entries: the sum of
 * their amounts as a decimal string (exact; accounts without entries are absent).
 */
export function balancesOf(entries: readonly XledgerJournalEntry[]): XledgerBalances {
  const accounts = new Map<string, bigint>();
  const subledgers = new Map<string, bigint>();
  for (const entry of entries) {
    const value = scaled(entry.amount);
    accounts.set(entry.accountCode, (accounts.get(entry.accountCode) ?? 0n) + value);
    if (entry.subledger !== null)
      subledgers.set(entry.subledger, (subledgers.get(entry.subledger) ?? 0n) + value);
  }
  const text = (sums: Map<string, bigint>) =>
    Object.fromEntries([...sums].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, unscaled(v)]));
  return { accounts: text(accounts), subledgers: text(subledgers) };
}
