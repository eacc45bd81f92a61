import { randomUUID } from 'node:crypto';
import {
  type DynamicsPostingSetup,
  type DynamicsPostingSetupSeed,
  setupFrom,
  vatOf,
} from './dynamics-posting-setup.js';

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
  /** The VAT Prod. Posting Group (`taxCode`); blank: no VAT. */
  taxCode: string;
  /** Dimension code → value code (the line's dimension set, `dimensionSetLines`). */
  dimensions: Map<string, string>;
  /** Files attached to the line (`attachments`); content as uploaded (`attachmentContent`). */
  attachments: DynamicsAttachment[];
  /** Bumped on every change: the line's ETag. */
  version: number;
  lastModifiedDateTime: string;
}

/** A file attached to a journal line or entry. */
interface DynamicsAttachment {
  id: string;
  fileName: string;
  content: string;
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
  /** On the expense entry of a line with a VAT Prod. Posting Group: its VAT Entry. */
  vat?: { group: string; base: string; amount: string };
  /** On the payables entry of an Employee line: its Employee Ledger Entry. */
  employeeNumber?: string;
  /** The line's dimension set, when it has one. */
  dimensions?: Record<string, string>;
  /** The line's attachments, on its first entry (I: posting carries journal line attachments to the entries). */
  attachments?: DynamicsAttachment[];
}

/** An accounting period (read-only in API v2.0, `accountingPeriods`). */
interface DynamicsAccountingPeriod {
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
  /** VAT Posting Setup, employees, dimensions. */
  setup: DynamicsPostingSetup;
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
  /** VAT, employees and dimensions (none when absent). */
  postingSetup?: DynamicsPostingSetupSeed;
}

/** Every account's balance (debit − credit) and the VAT and employee sub-ledgers, as decimal strings. */
export interface DynamicsBalances {
  accounts: Record<string, string>;
  vat: Record<string, { base: string; amount: string }>;
  employees: Record<string, string>;
}

/**
 * Balances from posted G/L entries: each account's debit − credit; the VAT sub-ledger (the VAT
 * Entries, carried on their expense entries) by VAT Prod. Posting Group; the employee sub-ledger
 * (Employee Ledger Entries, carried on their payables entries) by employee. Decimal strings.
 */
export function balancesOf(entries: readonly DynamicsGlEntry[]): DynamicsBalances {
  const accounts = new Map<string, bigint>();
  const vat = new Map<string, { base: bigint; amount: bigint }>();
  const employees = new Map<string, bigint>();
  for (const e of entries) {
    const net = toScaled(e.debitAmount) - toScaled(e.creditAmount);
    accounts.set(e.accountNumber, (accounts.get(e.accountNumber) ?? 0n) + net);
    if (e.employeeNumber !== undefined)
      employees.set(e.employeeNumber, (employees.get(e.employeeNumber) ?? 0n) + net);
    if (e.vat) {
      const sum = vat.get(e.vat.group) ?? { base: 0n, amount: 0n };
      vat.set(e.vat.group, {
        base: sum.base + toScaled(e.vat.base),
        amount: sum.amount + toScaled(e.vat.amount),
      });
    }
  }
  const text = (m: Map<string, bigint>) => Object.fromEntries([...m].map(([k, v]) => [k, fromScaled(v)]));
  return {
    accounts: text(accounts),
    vat: Object.fromEntries(
      [...vat].map(([k, v]) => [k, { base: fromScaled(v.base), amount: fromScaled(v.amount) }]),
    ),
    employees: text(employees),
  };
}

/** Prefix length of the description index: a `startswith` at least this long is answered from it. */
const DESCRIPTION_INDEX_LENGTH = 20;

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
    const vatRefusal = lines.map((l) => this.vatSetupRefusal(company, l)).find((r) => r !== undefined);
    if (vatRefusal) throw new PostingRefused('Application_DialogException', vatRefusal);
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
        ...(line.dimensions.size > 0 ? { dimensions: Object.fromEntries(line.dimensions) } : {}),
      };
      posted.push(entry);
      return entry;
    };
    // One side of a line: a G/L account, or an employee (their posting group's payables account).
    const side = (line: DynamicsLedgerLine, type: string, number: string, amount: bigint) => {
      if (type !== 'Employee') return book(line, number, amount);
      const employee = company.setup.employees.get(number);
      const entry = book(line, employee?.payablesAccount ?? number, amount);
      entry.employeeNumber = number;
      return entry;
    };
    for (const line of lines) {
      const amount = toScaled(line.amount);
      const rate = this.vatRateOf(company, line);
      if (rate === undefined) side(line, line.accountType, line.accountNumber, amount);
      else {
        const vat = vatOf(amount, rate);
        const expense = side(line, line.accountType, line.accountNumber, amount - vat);
        expense.vat = { group: line.taxCode, base: fromScaled(amount - vat), amount: fromScaled(vat) };
        if (vat !== 0n) book(line, company.setup.purchaseVatAccount, vat);
      }
      if (line.attachments.length > 0) {
        const first = posted.find((e) => e.description === line.description && e.attachments === undefined);
        if (first) first.attachments = line.attachments.map((a) => ({ ...a }));
      }
      if (line.balancingAccountNumber !== '')
        side(line, line.balanceAccountType, line.balancingAccountNumber, -amount);
    }
    for (const line of lines) company.lines.delete(line.id);
    if (!options.deferred) this.book(company.id, posted);
    return posted;
  }

  /** The VAT % a line is posted with: a VAT Prod. Posting Group on a purchase account (Gen. Posting Type Purchase). */
  private vatRateOf(company: DynamicsCompany, line: DynamicsLedgerLine): string | undefined {
    if (line.taxCode === '' || !company.setup.purchaseAccounts.has(line.accountNumber)) return undefined;
    return company.setup.vatRates.get(line.taxCode);
  }

  /** GenJnlPostLine needs the VAT Posting Setup of the line's groups (V: `VATPostingSetup.Get` in table 81). */
  private vatSetupRefusal(company: DynamicsCompany, line: DynamicsLedgerLine): string | undefined {
    if (line.taxCode === '' || company.setup.vatRates.has(line.taxCode)) return undefined;
    return `The VAT Posting Setup does not exist. Identification fields and values: VAT Bus. Posting Group='DOMESTIC',VAT Prod. Posting Group='${line.taxCode}'`;
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

  /** Company `id`'s balances: every G/L account, every VAT Prod. Posting Group, every employee. */
  balances(id: string): DynamicsBalances {
    return balancesOf(this.company(id)?.entries ?? []);
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
    setup: setupFrom(seed.postingSetup),
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

function fromScaled(value: bigint): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(SCALE + 1, '0');
  const whole = digits.slice(0, -SCALE);
  const fraction = digits.slice(-SCALE).replace(/0+$/, '');
  const text = fraction.length > 0 ? `${whole}.${fraction.padEnd(2, '0')}` : whole;
  return negative ? `-${text}` : text;
}
