import type { FaultState } from '../../../emulators/faults.js';
import { scaled, unscaled } from './xledger-amounts.js';
import type { XledgerLedger, XledgerLedgerItem } from './xledger-ledger.js';
import { GL_OBJECT_FIELDS, vatOf, type XledgerMasterDataIndex } from './xledger-master-data.js';

/** A reference as a client sends it (`{ code }` or `{ dbId }`). */
export interface RefInput {
  dbId?: string | null;
  dbSubId?: number | null;
  code?: string | null;
  description?: string | null;
}

/** The node of one `addGLImportItems` input (go-xledger `GLImportItemInput`). */
export interface NodeInput {
  transactionSource: RefInput;
  trRegNumber?: number | null;
  postedDate?: string | null;
  account?: RefInput | null;
  currency?: RefInput | null;
  text?: string | null;
  amount?: string | null;
  invoiceAmount?: string | null;
  exchangeRate?: number | null;
  invoiceNumber?: string | null;
  extIdentifier?: string | null;
  taxRule?: RefInput | null;
  taxAmount?: string | null;
  subledger?: RefInput | null;
  glObject1?: RefInput | null;
  glObject2?: RefInput | null;
  glObject3?: RefInput | null;
  glObject4?: RefInput | null;
  glObject5?: RefInput | null;
  project?: RefInput | null;
}

/** The GL import item fields that carry a dimension value (grasp-labs create metadata: `glObject1_code` … `glObject5_code`, `project_code`). */
const DIMENSION_FIELDS = [...GL_OBJECT_FIELDS, 'project'] as const;

/** The dimension values a node carries, by field; a reference without a code is kept as its `dbId`. */
function dimensionsOf(node: NodeInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of DIMENSION_FIELDS) {
    const ref = node[field];
    const value = ref?.code ?? (ref?.dbId != null ? `#${ref.dbId}` : undefined);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

/** One account of the emulator's chart of accounts. */
export interface XledgerAccount {
  code: string;
  description: string;
}

/** What processing needs from the rest of the emulator. */
export interface ProcessingContext {
  readonly ledger: XledgerLedger;
  readonly faults: FaultState;
  findAccount(ref: RefInput): (XledgerAccount & { dbId: string }) | undefined;
  readonly transactionSources: ReadonlySet<string>;
  /** Tax rules, GL object values, projects and employees. */
  readonly masterData: XledgerMasterDataIndex;
  /** Told of every item processing booked (true) or refused (false). */
  counted(booked: boolean): void;
}

/** A staged item with what processing needs to judge it again later. */
interface Staged {
  item: XledgerLedgerItem;
  node: NodeInput;
  /** The items of one mutation sharing transaction source, `trRegNumber`, date and invoice number. */
  voucher: string;
  /** When it is processed (epoch ms). */
  dueAt: number;
}

/**
 * Xledger's processing of staged GL import items. Items are staged by the import; processing
 * books each voucher whole or refuses it whole with an entry in `glImportItemErrors` per line,
 * under the faults in force when it runs. With `processingDelayMs` (I: whether Xledger processes
 * inside the import request is not documented) processing runs that long after the import, when
 * the emulator is next asked anything. Refused items stay staged until an accountant reprocesses
 * them ({@link reprocessErrored}) or deletes them ({@link deleteErrored}), as in Xledger's import screen.
 */
export class XledgerProcessing {
  private readonly waiting = new Map<string, Staged>();
  private readonly refused = new Map<string, Staged>();
  private mutations = 0;

  constructor(private readonly context: ProcessingContext) {}

  /** Stage the nodes of one mutation; processed at once unless a processing delay is set. */
  stage(nodes: readonly NodeInput[], now: number): XledgerLedgerItem[] {
    const mutation = ++this.mutations;
    const dueAt = now + this.context.faults.xledgerProcessing.delayMs;
    const staged = nodes.map((node) => {
      const account = node.account ? this.context.findAccount(node.account) : undefined;
      const item = this.context.ledger.add({
        extIdentifier: node.extIdentifier ?? null,
        postedDate: node.postedDate ?? null,
        accountCode: account?.code ?? node.account?.code ?? null,
        amount: node.amount ?? node.invoiceAmount ?? null,
        currency: node.currency?.code ?? null,
        invoiceAmount: node.invoiceAmount ?? null,
        // A GraphQL Float, kept as the JSON text it arrived as (at most 15 significant digits).
        exchangeRate: node.exchangeRate == null ? null : String(node.exchangeRate),
        text: node.text ?? null,
        trRegNumber: node.trRegNumber ?? null,
        transactionSource: (node.transactionSource.code ?? '').toUpperCase(),
        invoiceNumber: node.invoiceNumber ?? null,
        taxRule: node.taxRule?.code ?? null,
        taxAmount: node.taxAmount ?? null,
        subledger: node.subledger?.code ?? null,
        dimensions: dimensionsOf(node),
      });
      const voucher = [
        mutation,
        item.transactionSource,
        item.trRegNumber,
        item.postedDate,
        item.invoiceNumber,
      ].join('|');
      const entry = { item, node, voucher, dueAt };
      this.waiting.set(item.dbId, entry);
      return entry;
    });
    this.processDue(now);
    return staged.map((s) => s.item);
  }

  /** Process every staged item whose time has come. */
  processDue(now: number): void {
    const due = [...this.waiting.values()].filter((s) => s.dueAt <= now);
    for (const s of due) this.waiting.delete(s.item.dbId);
    this.process(due);
  }

  /** Process the refused items again under the current faults; how many were processed. */
  reprocessErrored(): { reprocessed: number; processed: number; refused: number } {
    const again = [...this.refused.values()];
    this.refused.clear();
    for (const { item } of again) this.context.ledger.clearErrors(item);
    this.process(again);
    const refused = again.filter((s) => s.item.status === 'error').length;
    return { reprocessed: again.length, processed: again.length - refused, refused };
  }

  /** Delete the refused items (and their errors); how many were deleted. */
  deleteErrored(): { deleted: number } {
    const deleted = this.refused.size;
    for (const { item } of this.refused.values()) this.context.ledger.remove(item);
    this.refused.clear();
    return { deleted };
  }

  reset(): void {
    this.waiting.clear();
    this.refused.clear();
    this.mutations = 0;
  }

  /**
   * Process items voucher by voucher (I: a voucher is the items of one mutation sharing
   * transaction source, `trRegNumber`, posted date and invoice number). A voucher with a line the
   * entity cannot book, or that does not balance, is refused whole: every line gets an entry in
   * `glImportItemErrors` (the help centre's example posts a balanced pair, +101.00 / -101.00).
   */
  private process(staged: readonly Staged[]): void {
    const vouchers = new Map<string, Staged[]>();
    for (const s of staged) vouchers.set(s.voucher, [...(vouchers.get(s.voucher) ?? []), s]);
    const { ledger } = this.context;
    for (const voucher of vouchers.values()) {
      const problems = voucher.map((s) => this.problem(s));
      const total = voucher.reduce((sum, { item }) => sum + scaled(item.amount ?? '0'), 0n);
      const refusal = problems.some((p) => p !== undefined)
        ? (i: number) => problems[i] ?? 'The voucher was refused because another of its lines was'
        : total !== 0n
          ? () => `The voucher is out of balance by ${unscaled(total)}`
          : undefined;
      voucher.forEach((s, i) => {
        if (refusal) {
          ledger.refuse(s.item, refusal(i));
          this.refused.set(s.item.dbId, s);
          this.context.counted(false);
        } else {
          ledger.book(s.item, this.vatEntry(s.item));
          this.context.counted(true);
        }
      });
    }
  }

  /** Where processing books the VAT an item includes: the tax rule's account, when it books any. */
  private vatEntry(item: XledgerLedgerItem): { account: string; amount: string } | undefined {
    const rule = item.taxRule === null ? undefined : this.context.masterData.taxRule(item.taxRule);
    if (!rule?.vatAccount || item.amount === null) return undefined;
    return { account: rule.vatAccount, amount: vatOf(item.amount, item.taxAmount, rule) };
  }

  /** Why the entity cannot book this item (the message `glImportItemErrors` shows), if anything. */
  private problem({ node, item }: Staged): string | undefined {
    if (!this.context.transactionSources.has(item.transactionSource))
      return `Transaction source '${node.transactionSource.code ?? node.transactionSource.dbId ?? ''}' does not exist`;
    if (!node.account) return 'Account is required';
    if (!this.context.findAccount(node.account))
      return `Account '${node.account.code ?? node.account.dbId ?? ''}' does not exist`;
    if (item.postedDate === null) return 'Posted date is required';
    if (item.amount === null) return 'Amount is required';
    return (
      this.problemOfMasterData(node, item) ??
      this.context.faults.ruleRejection({
        id: (item.extIdentifier ?? '').split(':')[0] ?? '',
        account: item.accountCode ?? '',
        amount: item.amount,
      })
    );
  }

  /** An unknown tax rule, dimension value or employee (sub-ledger); a tax amount without a rule. */
  private problemOfMasterData(node: NodeInput, item: XledgerLedgerItem): string | undefined {
    const { masterData } = this.context;
    if (node.taxRule && (item.taxRule === null || !masterData.taxRule(item.taxRule)))
      return `Tax rule '${node.taxRule.code ?? node.taxRule.dbId ?? ''}' does not exist`;
    if (item.taxAmount !== null && item.taxRule === null) return 'Tax amount requires a tax rule';
    for (const [field, value] of Object.entries(item.dimensions)) {
      if (!masterData.hasDimensionValue(field, value))
        return field === 'project'
          ? `Project '${value}' does not exist`
          : `Value '${value}' does not exist for ${field}`;
    }
    if (node.subledger && (item.subledger === null || !masterData.hasEmployee(item.subledger)))
      return `Subledger '${node.subledger.code ?? node.subledger.dbId ?? ''}' does not exist`;
    return undefined;
  }
}
