import { randomUUID } from 'node:crypto';

/** A G/L account (or bank account) of the emulated chart of accounts. */
export interface DynamicsAccount {
  id: string;
  number: string;
  displayName: string;
  blocked: boolean;
}

/** One general journal batch (`journals` in API v2.0; table "Gen. Journal Batch"). */
export interface DynamicsJournal {
  id: string;
  code: string;
  displayName: string;
  templateDisplayName: string;
  lastLineNumber: number;
}

/** One unposted journal line; posting deletes it (BaseApp GenJnlPostBatch, `GenJnlLine3.DeleteAll()`). */
export interface DynamicsLedgerLine {
  id: string;
  companyId: string;
  journalId: string;
  lineNumber: number;
  accountType: string;
  accountNumber: string;
  postingDate: string;
  /** Blank for lines created through API v2.0 (the page's `OnNewRecord`). */
  documentType: string;
  documentNumber: string;
  externalDocumentNumber: string;
  /** Decimal string, exactly as received. */
  amount: string;
  description: string;
  comment: string;
  balanceAccountType: string;
  balancingAccountNumber: string;
  /** Bumped on every change: the line's ETag. */
  version: number;
  lastModifiedDateTime: string;
}

/** One posted G/L entry (API v2.0 `generalLedgerEntries`, MS Learn `dynamics_generalledgerentry`). */
export interface DynamicsGlEntry {
  id: string;
  companyId: string;
  entryNumber: number;
  postingDate: string;
  documentNumber: string;
  documentType: string;
  accountId: string;
  accountNumber: string;
  description: string;
  /** Decimal strings; one of the two is zero. */
  debitAmount: string;
  creditAmount: string;
  lastModifiedDateTime: string;
}

/** An accounting period (read-only in API v2.0, `accountingPeriods`). */
export interface DynamicsAccountingPeriod {
  id: string;
  startingDate: string;
  name: string;
  newFiscalYear: boolean;
  closed: boolean;
  dateLocked: boolean;
}

/** One emulated company: its chart of accounts, journals, unposted lines and posted G/L entries. */
export interface DynamicsCompany {
  id: string;
  name: string;
  displayName: string;
  currencyCode: string;
  accounts: Map<string, DynamicsAccount>;
  journals: Map<string, DynamicsJournal>;
  lines: Map<string, DynamicsLedgerLine>;
  entries: DynamicsGlEntry[];
  entriesByDocument: Map<string, DynamicsGlEntry[]>;
  /** Entries by the first {@link DESCRIPTION_INDEX_LENGTH} characters of their description (read-back filters). */
  entriesByDescriptionStart: Map<string, DynamicsGlEntry[]>;
  periods: DynamicsAccountingPeriod[];
  /** The last number the batch's No. Series and Posting No. Series handed out (faults switch them on). */
  series: { noSeries: number; postingNoSeries: number };
}

/** How one posting numbers and times its entries. */
export interface PostingOptions {
  /** The document number each line's entries get (a Posting No. Series renumbers); default: the line's own. */
  numberOf?: (line: DynamicsLedgerLine) => string;
  /** Job-queue posting: take the lines now, return the entries without booking them (see {@link DynamicsLedger.book}). */
  deferred?: boolean;
}

/** What a company starts with. */
export interface DynamicsCompanySeed {
  id: string;
  name: string;
  currencyCode: string;
  accounts: readonly { number: string; displayName: string; blocked?: boolean }[];
  journals: readonly { id: string; code: string; displayName: string }[];
  /** Fiscal years with twelve monthly periods each (the `closedPeriodsBefore` switch closes early ones). */
  fiscalYears: readonly number[];
}

/** Prefix length of the description index: a `startswith` at least this long is answered from it. */
export const DESCRIPTION_INDEX_LENGTH = 20;

function addTo<K, V>(index: Map<K, V[]>, key: K, value: V): void {
  const list = index.get(key);
  if (list) list.push(value);
  else index.set(key, [value]);
}

/**
 * The company's entries whose document number is one of `documentNumbers` or whose description
 * starts with one of `prefixes`, oldest first (indexed: no scan of the whole G/L per query).
 */
export function findEntries(
  company: DynamicsCompany,
  documentNumbers: readonly string[],
  prefixes: readonly string[],
): DynamicsGlEntry[] {
  const found = new Set<DynamicsGlEntry>();
  for (const n of documentNumbers)
    for (const e of company.entriesByDocument.get(n.toUpperCase()) ?? []) found.add(e);
  for (const p of prefixes) {
    const candidates =
      p.length >= DESCRIPTION_INDEX_LENGTH
        ? (company.entriesByDescriptionStart.get(p.slice(0, DESCRIPTION_INDEX_LENGTH)) ?? [])
        : company.entries;
    for (const e of candidates) if (e.description.startsWith(p)) found.add(e);
  }
  return [...found].sort((a, b) => a.entryNumber - b.entryNumber);
}

/** Why posting refused a journal: the error Business Central raises, and nothing was posted. */
export class PostingRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The emulator's Business Central companies. Journal lines live only until their journal is
 * posted: posting turns them into G/L entries and deletes them, as the real system does.
 */
export class DynamicsLedger {
  private companies = new Map<string, DynamicsCompany>();
  private nextEntryNumber = 1;

  constructor(private readonly seeds: readonly DynamicsCompanySeed[]) {
    this.reset();
  }

  company(id: string): DynamicsCompany | undefined {
    return this.companies.get(id.toLowerCase());
  }

  listCompanies(): DynamicsCompany[] {
    return [...this.companies.values()];
  }

  /** Add a line: at the given line number, or at the end of the journal (steps of 10000, as the page does). */
  addLine(
    company: DynamicsCompany,
    journal: DynamicsJournal,
    line: Omit<
      DynamicsLedgerLine,
      'id' | 'companyId' | 'journalId' | 'lineNumber' | 'version' | 'lastModifiedDateTime'
    >,
    requestedLineNumber?: number,
  ): DynamicsLedgerLine {
    const lineNumber = requestedLineNumber ?? journal.lastLineNumber + 10_000;
    journal.lastLineNumber = Math.max(journal.lastLineNumber, lineNumber);
    const stored: DynamicsLedgerLine = {
      ...line,
      id: randomUUID(),
      companyId: company.id,
      journalId: journal.id,
      lineNumber,
      version: 1,
      lastModifiedDateTime: new Date().toISOString(),
    };
    company.lines.set(stored.id, stored);
    return stored;
  }

  hasLineNumber(company: DynamicsCompany, journalId: string, lineNumber: number): boolean {
    for (const line of company.lines.values())
      if (line.journalId === journalId && line.lineNumber === lineNumber) return true;
    return false;
  }

  journalLines(company: DynamicsCompany, journalId: string): DynamicsLedgerLine[] {
    return [...company.lines.values()]
      .filter((l) => l.journalId === journalId)
      .sort((a, b) => a.lineNumber - b.lineNumber);
  }

  /**
   * Post every line of the journal: check dates and balance first (all or nothing), then write a
   * G/L entry per side and delete the lines. Throws {@link PostingRefused} and changes nothing
   * when Business Central would refuse.
   */
  post(
    company: DynamicsCompany,
    journal: DynamicsJournal,
    allowed: { from?: string | undefined; to?: string | undefined },
    options: PostingOptions = {},
  ): DynamicsGlEntry[] {
    const lines = this.journalLines(company, journal.id);
    if (lines.length === 0)
      throw new PostingRefused('Application_DialogException', 'There is nothing to post.');
    for (const line of lines) {
      if (
        (allowed.from && line.postingDate < allowed.from) ||
        (allowed.to && line.postingDate > allowed.to)
      ) {
        throw new PostingRefused(
          'Application_DialogException',
          `Posting Date is not within your range of allowed posting dates in Gen. Journal Line Journal Template Name='${journal.templateDisplayName}',Journal Batch Name='${journal.code}',Line No.='${line.lineNumber}'.`,
        );
      }
    }
    // Lines without a balancing account must balance per document number and posting date.
    const open = new Map<string, bigint>();
    for (const line of lines) {
      if (line.balancingAccountNumber !== '') continue;
      const key = `${line.documentNumber}|${line.postingDate}`;
      open.set(key, (open.get(key) ?? 0n) + toScaled(line.amount));
    }
    for (const [key, sum] of open) {
      if (sum === 0n) continue;
      const [documentNumber, postingDate] = key.split('|');
      throw new PostingRefused(
        'Application_DialogException',
        `Document No. ${documentNumber} is out of balance by ${fromScaled(sum)} on ${postingDate}. Please check that Posting Date, Document Type, Document No. and Amount are correct for each line.`,
      );
    }
    const now = new Date().toISOString();
    const posted: DynamicsGlEntry[] = [];
    const book = (line: DynamicsLedgerLine, accountNumber: string, amount: bigint) => {
      const account = company.accounts.get(accountNumber);
      const entry: DynamicsGlEntry = {
        id: randomUUID(),
        companyId: company.id,
        entryNumber: 0,
        postingDate: line.postingDate,
        documentNumber: options.numberOf?.(line) ?? line.documentNumber,
        documentType: line.documentType,
        accountId: account?.id ?? '00000000-0000-0000-0000-000000000000',
        accountNumber,
        description: line.description,
        debitAmount: amount > 0n ? fromScaled(amount) : '0',
        creditAmount: amount < 0n ? fromScaled(-amount) : '0',
        lastModifiedDateTime: now,
      };
      posted.push(entry);
    };
    for (const line of lines) {
      const amount = toScaled(line.amount);
      book(line, line.accountNumber, amount);
      if (line.balancingAccountNumber !== '') book(line, line.balancingAccountNumber, -amount);
    }
    for (const line of lines) company.lines.delete(line.id);
    if (!options.deferred) this.book(company.id, posted);
    return posted;
  }

  /**
   * Book prepared entries into the G/L of company `companyId` (now, or when the job queue runs),
   * numbering them in booking order. Returns false when the company is gone (the emulator was reset).
   */
  book(companyId: string, entries: readonly DynamicsGlEntry[]): boolean {
    const company = this.company(companyId);
    if (!company) return false;
    const now = new Date().toISOString();
    for (const entry of entries) {
      entry.entryNumber = this.nextEntryNumber++;
      entry.lastModifiedDateTime = now;
      company.entries.push(entry);
      addTo(company.entriesByDocument, entry.documentNumber, entry);
      addTo(company.entriesByDescriptionStart, entry.description.slice(0, DESCRIPTION_INDEX_LENGTH), entry);
    }
    return true;
  }

  /** Every company's state, deep-copied (for `Isolation: snapshot` batches). */
  snapshot(): { companies: Map<string, DynamicsCompany>; nextEntryNumber: number } {
    return { companies: structuredClone(this.companies), nextEntryNumber: this.nextEntryNumber };
  }

  restore(state: { companies: Map<string, DynamicsCompany>; nextEntryNumber: number }): void {
    this.companies = state.companies;
    this.nextEntryNumber = state.nextEntryNumber;
  }

  /** Every posted G/L entry of every company, oldest first. */
  list(): DynamicsGlEntry[] {
    return [...this.companies.values()].flatMap((c) => c.entries.map((e) => ({ ...e })));
  }

  /** Every unposted journal line of every company. */
  openLines(): DynamicsLedgerLine[] {
    return [...this.companies.values()].flatMap((c) => [...c.lines.values()].map((l) => ({ ...l })));
  }

  reset(): void {
    this.companies = new Map(this.seeds.map((seed) => [seed.id.toLowerCase(), companyFrom(seed)]));
    this.nextEntryNumber = 1;
  }
}

function companyFrom(seed: DynamicsCompanySeed): DynamicsCompany {
  const accounts = new Map(
    seed.accounts.map((a) => [
      a.number.toUpperCase(),
      {
        id: randomUUID(),
        number: a.number.toUpperCase(),
        displayName: a.displayName,
        blocked: a.blocked ?? false,
      },
    ]),
  );
  const journals = new Map(
    seed.journals.map((j) => [
      j.id.toLowerCase(),
      {
        id: j.id.toLowerCase(),
        code: j.code,
        displayName: j.displayName,
        templateDisplayName: 'GENERAL',
        lastLineNumber: 0,
      },
    ]),
  );
  const periods: DynamicsAccountingPeriod[] = seed.fiscalYears.flatMap((year) =>
    Array.from({ length: 12 }, (_, month) => ({
      id: randomUUID(),
      startingDate: `${year}-${String(month + 1).padStart(2, '0')}-01`,
      name: new Date(Date.UTC(year, month, 1)).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' }),
      newFiscalYear: month === 0,
      closed: false,
      dateLocked: false,
    })),
  );
  return {
    id: seed.id.toLowerCase(),
    name: seed.name,
    displayName: seed.name,
    currencyCode: seed.currencyCode,
    accounts,
    journals,
    lines: new Map(),
    entries: [],
    entriesByDocument: new Map(),
    entriesByDescriptionStart: new Map(),
    periods,
    series: { noSeries: 0, postingNoSeries: 0 },
  };
}

/** BC decimals have at most 5 places here; amounts are kept as scaled integers, never floats. */
const SCALE = 5;

export function toScaled(amount: string): bigint {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction = ''] = amount.replace(/^[-+]/, '').split('.');
  const digits = BigInt(`${whole}${fraction.padEnd(SCALE, '0').slice(0, SCALE)}`);
  return negative ? -digits : digits;
}

export function fromScaled(value: bigint): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(SCALE + 1, '0');
  const whole = digits.slice(0, -SCALE);
  const fraction = digits.slice(-SCALE).replace(/0+$/, '');
  const text = fraction.length > 0 ? `${whole}.${fraction.padEnd(2, '0')}` : whole;
  return negative ? `-${text}` : text;
}
