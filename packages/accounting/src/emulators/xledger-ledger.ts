/** One GL import item the Xledger emulator holds. */
export interface XledgerLedgerItem {
  dbId: string;
  extIdentifier: string;
  postedDate: string;
  accountCode: string;
  /** Decimal string, exactly as received. */
  amount: string;
  currency: string;
  text: string | null;
  trRegNumber: number | null;
  createdAt: string;
}

/** The emulator's Xledger ledger: at most one item per `extIdentifier`, `dbId`s ascending. */
export class XledgerLedger {
  private readonly byExtIdentifier = new Map<string, XledgerLedgerItem>();
  private readonly items: XledgerLedgerItem[] = [];
  private nextDbId = 1_000_001;

  has(extIdentifier: string): boolean {
    return this.byExtIdentifier.has(extIdentifier);
  }

  /** Add an item; the caller has checked that its `extIdentifier` is new. */
  add(item: Omit<XledgerLedgerItem, 'dbId' | 'createdAt'>): XledgerLedgerItem {
    if (this.byExtIdentifier.has(item.extIdentifier)) {
      throw new Error(`extIdentifier ${item.extIdentifier} is already in the ledger`);
    }
    const stored = { ...item, dbId: String(this.nextDbId++), createdAt: new Date().toISOString() };
    this.byExtIdentifier.set(stored.extIdentifier, stored);
    this.items.push(stored);
    return stored;
  }

  /** Items with one of `extIdentifiers` (all items when undefined), in `dbId` order. */
  find(extIdentifiers: readonly string[] | undefined): XledgerLedgerItem[] {
    if (extIdentifiers === undefined) return [...this.items];
    return [...new Set(extIdentifiers)]
      .flatMap((e) => this.byExtIdentifier.get(e) ?? [])
      .sort((a, b) => Number(a.dbId) - Number(b.dbId));
  }

  list(): XledgerLedgerItem[] {
    return [...this.items];
  }

  reset(): void {
    this.byExtIdentifier.clear();
    this.items.length = 0;
    this.nextDbId = 1_000_001;
  }
}
