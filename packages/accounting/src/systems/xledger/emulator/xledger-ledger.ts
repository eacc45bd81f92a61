/** One GL import item the Xledger emulator holds (every item a mutation staged). */
export interface XledgerLedgerItem {
  dbId: string;
  /** Not unique: Xledger documents no uniqueness of `extIdentifier` (spec: "extIdentifier is not documented as unique"). */
  extIdentifier: string | null;
  postedDate: string | null;
  accountCode: string | null;
  /** Decimal string, exactly as received. */
  amount: string | null;
  currency: string | null;
  text: string | null;
  trRegNumber: number | null;
  transactionSource: string;
  invoiceNumber: string | null;
  createdAt: string;
  /** `processed` when it became part of a transaction; `error` when processing refused it (see `glImportItemErrors`). */
  status: 'processed' | 'error';
}

/** One entry of the `glImportItemErrors` entity: why processing refused an import item. */
export interface XledgerImportError {
  dbId: string;
  /** The import item the error is about (I: the field that links an error to its item). */
  transactionDbId: string;
  message: string;
  createdAt: string;
}

/** The emulator's Xledger ledger: staged GL import items and their processing errors, `dbId`s ascending. */
export class XledgerLedger {
  private readonly items: XledgerLedgerItem[] = [];
  private readonly errors: XledgerImportError[] = [];
  // Indexes, so a read-back or an error lookup costs what it returns, not the ledger's size.
  private readonly byExtIdentifier = new Map<string, XledgerLedgerItem[]>();
  private readonly errorsByItem = new Map<string, XledgerImportError[]>();
  private nextDbId = 1_000_001;
  private nextErrorDbId = 9_000_001;

  add(item: Omit<XledgerLedgerItem, 'dbId' | 'createdAt' | 'status'>): XledgerLedgerItem {
    const stored: XledgerLedgerItem = {
      ...item,
      dbId: String(this.nextDbId++),
      createdAt: new Date().toISOString(),
      status: 'processed',
    };
    this.items.push(stored);
    if (stored.extIdentifier !== null) {
      const same = this.byExtIdentifier.get(stored.extIdentifier);
      if (same) same.push(stored);
      else this.byExtIdentifier.set(stored.extIdentifier, [stored]);
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
    this.errors.push(error);
    this.errorsByItem.set(item.dbId, [...(this.errorsByItem.get(item.dbId) ?? []), error]);
  }

  /** Every item, in `dbId` order. */
  list(): XledgerLedgerItem[] {
    return [...this.items];
  }

  listErrors(): XledgerImportError[] {
    return [...this.errors];
  }

  /** Items with one of these `extIdentifier`s, in `dbId` order. */
  withExtIdentifiers(extIdentifiers: readonly string[]): XledgerLedgerItem[] {
    return [...new Set(extIdentifiers)]
      .flatMap((e) => this.byExtIdentifier.get(e) ?? [])
      .sort((a, b) => (BigInt(a.dbId) < BigInt(b.dbId) ? -1 : 1));
  }

  /** Errors of these items, in `dbId` order. */
  errorsOf(itemDbIds: readonly string[]): XledgerImportError[] {
    return [...new Set(itemDbIds)]
      .flatMap((id) => this.errorsByItem.get(id) ?? [])
      .sort((a, b) => (BigInt(a.dbId) < BigInt(b.dbId) ? -1 : 1));
  }

  reset(): void {
    this.items.length = 0;
    this.errors.length = 0;
    this.byExtIdentifier.clear();
    this.errorsByItem.clear();
    this.nextDbId = 1_000_001;
    this.nextErrorDbId = 9_000_001;
  }
}
