import type { FaultState } from '../../../emulators/faults.js';
import type { XledgerLedger, XledgerLedgerItem } from './xledger-ledger.js';

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
  invoiceNumber?: string | null;
  extIdentifier?: string | null;
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
        text: node.text ?? null,
        trRegNumber: node.trRegNumber ?? null,
        transactionSource: (node.transactionSource.code ?? '').toUpperCase(),
        invoiceNumber: node.invoiceNumber ?? null,
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
          ledger.book(s.item);
          this.context.counted(true);
        }
      });
    }
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
    return this.context.faults.ruleRejection({
      id: (item.extIdentifier ?? '').split(':')[0] ?? '',
      account: item.accountCode ?? '',
      amount: item.amount,
    });
  }
}

/** A decimal string as an integer of millionths, so sums are exact. */
function scaled(amount: string): bigint {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction = ''] = amount.replace(/^[-+]/, '').split('.');
  const value = BigInt(whole) * 1_000_000n + BigInt(`${fraction}000000`.slice(0, 6));
  return negative ? -value : value;
}

function unscaled(value: bigint): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const whole = magnitude / 1_000_000n;
  const fraction = String(magnitude % 1_000_000n)
    .padStart(6, '0')
    .replace(/0{1,4}$/, '');
  return `${negative ? '-' : ''}${whole}.${fraction.padEnd(2, '0')}`;
}
