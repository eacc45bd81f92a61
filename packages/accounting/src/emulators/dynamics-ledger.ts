import { randomUUID } from 'node:crypto';

/** One journal line the Business Central emulator holds; `posted` once the journal was posted. */
export interface DynamicsLedgerLine {
  id: string;
  companyId: string;
  journalId: string;
  lineNumber: number;
  accountType: string;
  accountNumber: string;
  postingDate: string;
  documentNumber: string;
  externalDocumentNumber: string;
  /** Decimal string, exactly as received. */
  amount: string;
  description: string;
  posted: boolean;
  createdAt: string;
  postedAt: string | null;
}

/**
 * The emulator's Business Central ledger: at most one line per company and external document
 * number, whether posted or not. Posted lines stay readable under their journal (the read-back the
 * adapter relies on; a real journal empties when posted — see the adapter's notes).
 */
export class DynamicsLedger {
  private readonly byKey = new Map<string, DynamicsLedgerLine>();
  private readonly lines: DynamicsLedgerLine[] = [];
  private readonly lastLineNumber = new Map<string, number>();
  /** Unposted lines per journal, so posting does not scan the whole ledger. */
  private readonly unposted = new Map<string, DynamicsLedgerLine[]>();

  has(companyId: string, externalDocumentNumber: string): boolean {
    return this.byKey.has(keyOf(companyId, externalDocumentNumber));
  }

  add(
    line: Omit<DynamicsLedgerLine, 'id' | 'lineNumber' | 'posted' | 'createdAt' | 'postedAt'>,
  ): DynamicsLedgerLine {
    const key = keyOf(line.companyId, line.externalDocumentNumber);
    if (this.byKey.has(key)) throw new Error(`${line.externalDocumentNumber} is already in the ledger`);
    const journalKey = `${line.companyId}|${line.journalId}`;
    const lineNumber = (this.lastLineNumber.get(journalKey) ?? 0) + 10_000;
    this.lastLineNumber.set(journalKey, lineNumber);
    const stored: DynamicsLedgerLine = {
      ...line,
      id: randomUUID(),
      lineNumber,
      posted: false,
      createdAt: new Date().toISOString(),
      postedAt: null,
    };
    this.byKey.set(key, stored);
    this.lines.push(stored);
    const waiting = this.unposted.get(journalKey);
    if (waiting) waiting.push(stored);
    else this.unposted.set(journalKey, [stored]);
    return stored;
  }

  /** Lines of one journal, optionally only those with one of `externalDocumentNumbers`. */
  journalLines(
    companyId: string,
    journalId: string,
    externalDocumentNumbers?: readonly string[],
  ): DynamicsLedgerLine[] {
    if (externalDocumentNumbers === undefined) {
      return this.lines.filter((l) => l.companyId === companyId && l.journalId === journalId);
    }
    return [...new Set(externalDocumentNumbers)]
      .flatMap((n) => this.byKey.get(keyOf(companyId, n)) ?? [])
      .filter((l) => l.journalId === journalId)
      .sort((a, b) => a.lineNumber - b.lineNumber);
  }

  /** Post every unposted line of the journal; returns how many were posted. */
  post(companyId: string, journalId: string): number {
    const journalKey = `${companyId}|${journalId}`;
    const waiting = this.unposted.get(journalKey) ?? [];
    this.unposted.delete(journalKey);
    const postedAt = new Date().toISOString();
    for (const line of waiting) {
      line.posted = true;
      line.postedAt = postedAt;
    }
    return waiting.length;
  }

  list(): DynamicsLedgerLine[] {
    return this.lines.map((l) => ({ ...l }));
  }

  reset(): void {
    this.byKey.clear();
    this.lines.length = 0;
    this.lastLineNumber.clear();
    this.unposted.clear();
  }
}

function keyOf(companyId: string, externalDocumentNumber: string): string {
  return `${companyId.toLowerCase()}|${externalDocumentNumber.toUpperCase()}`;
}
