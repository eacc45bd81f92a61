import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type DocumentNode,
  type ExecutionResult,
  execute,
  type GraphQLError,
  GraphQLError as GraphQLErrorClass,
  type GraphQLFormattedError,
  getOperationAST,
  parse,
  validate,
} from 'graphql';
import { type EmulatorStats, emptyStats } from '../../../emulators/emulator-stats.js';
import type { FaultState } from '../../../emulators/faults.js';
import { dropConnection, sendJson, sendTruncatedJson, tryParseJson } from '../../../emulators/http-io.js';
import { isObject } from '../../../emulators/json-shape.js';
import { buildXledgerSchema } from './schema.js';
import { XledgerLedger, type XledgerLedgerItem } from './xledger-ledger.js';

/** One account of the emulator's chart of accounts. */
export interface XledgerAccount {
  code: string;
  description: string;
}

/** Settings of the Xledger emulator. */
export interface XledgerEmulatorSettings {
  /** API tokens it accepts. */
  tokens: readonly string[];
  /** Largest page a read may ask for. */
  maxPageSize: number;
  /** The chart of accounts (default {@link DEMO_XLEDGER_ACCOUNTS}). */
  accounts?: readonly XledgerAccount[];
  /** Transaction source codes the entity knows (default GL, AR, AP). */
  transactionSources?: readonly string[];
}

/** Help centre article 8715787519634 ("GraphQL general tips"): at most 500 nodes per mass mutation. */
export const XLEDGER_MAX_NODES_PER_MUTATION = 500;

/** The demo entity's chart: every account the demo seed and the tests book to, and the contra accounts. */
export const DEMO_XLEDGER_ACCOUNTS: readonly XledgerAccount[] = [
  { code: '1010', description: 'Development costs' },
  { code: '1920', description: 'Bank' },
  { code: '2400', description: 'Accounts payable' },
  { code: '2910', description: 'Employee expense settlement' },
  { code: '6800', description: 'Office supplies' },
  { code: '6810', description: 'Computer supplies' },
  { code: '7100', description: 'Car allowance' },
  { code: '7140', description: 'Travel' },
  { code: '7150', description: 'Per diem' },
  { code: '7160', description: 'Meals' },
  { code: '7320', description: 'Marketing' },
  { code: '7350', description: 'Entertainment' },
];

type Answer = { status: number; body: { data?: unknown; errors?: readonly GraphQLFormattedError[] } };

/**
 * Xledger's GraphQL API at `POST /xledger/graphql`, as far as public sources describe it. Every
 * request is parsed, validated and executed with graphql-js against the committed SDL
 * (`xledger/schema.graphql`), so inline literals and variables both work and invalid documents
 * get the errors a GraphQL server gives.
 *
 * `addGLImportItems` stages every node as a GL import item (echoing each input's `clientId` on
 * its edge) and processes it at once: an item the entity cannot book (unknown account or
 * transaction source, a voucher out of balance, a fault rule) stays staged with an entry in
 * `glImportItemErrors`. `extIdentifier` is not unique: a repeated one is stored again, as nothing
 * public says Xledger refuses it.
 */
export class XledgerEmulator {
  readonly ledger = new XledgerLedger();
  stats: EmulatorStats = emptyStats();
  private readonly schema = buildXledgerSchema();
  private readonly documents = new Map<
    string,
    { document: DocumentNode } | { errors: readonly GraphQLError[] }
  >();
  private readonly accounts: readonly (XledgerAccount & { dbId: string })[];
  private readonly sources: ReadonlySet<string>;

  constructor(
    private readonly settings: XledgerEmulatorSettings,
    readonly faults: FaultState,
  ) {
    this.accounts = (settings.accounts ?? DEMO_XLEDGER_ACCOUNTS).map((a, i) => ({
      ...a,
      dbId: String(500_001 + i),
    }));
    this.sources = new Set((settings.transactionSources ?? ['GL', 'AR', 'AP']).map((s) => s.toUpperCase()));
  }

  reset(): void {
    this.ledger.reset();
    this.stats = emptyStats();
  }

  async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const { faults, stats } = this;
    stats.requests += 1;
    if (faults.latencyMs > 0) await delay(faults.latencyMs);
    if (faults.authFailure || !this.authorized(req)) {
      stats.authFailures += 1;
      sendJson(res, 401, { errors: [{ message: 'bad format for api token' }] });
      return;
    }
    if (faults.insufficientCredits) {
      const code = 'BAD_REQUEST.INSUFFICIENT_CREDITS';
      sendJson(res, 200, {
        errors: [{ message: 'Insufficient credits for this request', code, extensions: { code } }],
      });
      return;
    }
    if (faults.take('throttle')) {
      stats.throttled += 1;
      const code = faults.throttleCode;
      sendJson(res, 200, {
        errors: [
          {
            message: 'Rate limit reached, please try again later',
            code,
            extensions: { code, retryAfterSeconds: faults.retryAfterSeconds },
          },
        ],
      });
      return;
    }
    if (faults.take('serverErrors')) {
      stats.serverErrors += 1;
      sendJson(res, faults.serverErrorStatus, { errors: [{ message: 'Service temporarily unavailable' }] });
      return;
    }

    const { answer, isWrite } = this.answer(body, req.headers.accept ?? '');
    if (isWrite && faults.take('dropAfterWrite')) {
      stats.dropped += 1;
      dropConnection(res);
      return;
    }
    if (faults.take('malformed')) {
      stats.malformed += 1;
      sendTruncatedJson(res, answer.body);
      return;
    }
    sendJson(res, answer.status, answer.body);
  }

  /**
   * GraphQL-over-HTTP: a body that is not a well-formed request (no JSON object, no `query`
   * string) is a 400. A well-formed request whose document fails to parse or validate answers
   * 200 with `errors` and no `data` for `Accept: application/json` (the media type public
   * Xledger clients use), and 400 for `application/graphql-response+json`.
   */
  private answer(body: string, accept: string): { answer: Answer; isWrite: boolean } {
    const request = tryParseJson(body);
    if (!isObject(request) || typeof request.query !== 'string') {
      return {
        answer: {
          status: 400,
          body: { errors: [{ message: 'The request body must be a JSON object with a "query" string' }] },
        },
        isWrite: false,
      };
    }
    const requestError = /application\/graphql-response\+json/.test(accept) ? 400 : 200;
    const variables = request.variables === undefined || request.variables === null ? {} : request.variables;
    if (!isObject(variables)) {
      return {
        answer: { status: 400, body: { errors: [{ message: '"variables" must be a JSON object' }] } },
        isWrite: false,
      };
    }
    const operationName = typeof request.operationName === 'string' ? request.operationName : undefined;

    const checked = this.checkDocument(request.query);
    if ('errors' in checked) return { answer: refused(requestError, checked.errors), isWrite: false };
    const { document } = checked;

    const operation = getOperationAST(document, operationName);
    const isWrite = operation?.operation === 'mutation';
    if (isWrite) this.stats.writes += 1;
    const result = execute({
      schema: this.schema,
      document,
      rootValue: this.resolvers(),
      variableValues: variables,
      operationName,
    }) as ExecutionResult;
    const formatted = {
      ...('data' in result ? { data: result.data } : {}),
      ...(result.errors?.length ? { errors: result.errors.map((e) => e.toJSON()) } : {}),
    };
    return { answer: { status: 'data' in result ? 200 : requestError, body: formatted }, isWrite };
  }

  /**
   * Parse and validate a document, remembering the outcome per query text: clients send the same
   * few documents over and over, and a document's validity depends only on its text.
   */
  private checkDocument(query: string): { document: DocumentNode } | { errors: readonly GraphQLError[] } {
    const known = this.documents.get(query);
    if (known) return known;
    let checked: { document: DocumentNode } | { errors: readonly GraphQLError[] };
    try {
      const document = parse(query);
      const invalid = validate(this.schema, document);
      checked = invalid.length > 0 ? { errors: invalid } : { document };
    } catch (error) {
      checked = { errors: [error as GraphQLError] };
    }
    if (this.documents.size >= 200) this.documents.clear();
    this.documents.set(query, checked);
    return checked;
  }

  private authorized(req: IncomingMessage): boolean {
    const match = /^token\s+(\S+)$/.exec(req.headers.authorization ?? '');
    return match?.[1] !== undefined && this.settings.tokens.includes(match[1]);
  }

  private resolvers() {
    return {
      addGLImportItems: (args: { inputs: readonly AddInput[] }) => this.addItems(args.inputs),
      glImportItems: (args: PageArgs & { filter?: ItemFilter | null }) =>
        page(
          this.itemCandidates(args.filter ?? undefined).filter((item) =>
            matchesItem(item, args.filter ?? undefined),
          ),
          args,
          this.settings.maxPageSize,
          (item) => this.itemNode(item),
        ),
      glImportItemErrors: (args: PageArgs & { filter?: ErrorFilter | null }) =>
        page(
          (args.filter?.transactionDbId_in != null
            ? this.ledger.errorsOf(args.filter.transactionDbId_in)
            : this.ledger.listErrors()
          ).filter((e) => matchesError(e, args.filter ?? undefined)),
          args,
          this.settings.maxPageSize,
          (e) => ({
            dbId: e.dbId,
            createdAt: e.createdAt,
            message: e.message,
            transactionDbId: e.transactionDbId,
            errorLevelDbId: '1',
            errorLevel: { dbId: '1', code: 'ERROR', name: 'Error' },
          }),
        ),
      accounts: (args: PageArgs & { filter?: AccountFilter | null }) =>
        page(
          this.accounts.filter((a) => matchesAccount(a, args.filter ?? undefined)),
          args,
          this.settings.maxPageSize,
          (a) => ({ ...a, posting: true }),
        ),
    };
  }

  /** The items a filter can match, from the `extIdentifier` index when it names any. */
  private itemCandidates(filter: ItemFilter | undefined): XledgerLedgerItem[] {
    if (filter?.extIdentifier_in != null) return this.ledger.withExtIdentifiers(filter.extIdentifier_in);
    if (filter?.extIdentifier != null) return this.ledger.withExtIdentifiers([filter.extIdentifier]);
    return this.ledger.list();
  }

  private addItems(inputs: readonly AddInput[]) {
    if (inputs.length > XLEDGER_MAX_NODES_PER_MUTATION) {
      throw new GraphQLErrorClass(
        `A mutation takes at most ${XLEDGER_MAX_NODES_PER_MUTATION} nodes; ${inputs.length} were sent`,
      );
    }
    const staged = inputs.map((input) => ({ input, item: this.stage(input.node) }));
    this.process(staged);
    for (const { item } of staged) {
      if (item.status === 'processed') this.stats.itemsPosted += 1;
      else this.stats.itemsRejected += 1;
    }
    return {
      edges: staged.map(({ input, item }) => ({
        clientId: input.clientId ?? null,
        node: this.itemNode(item),
      })),
    };
  }

  private stage(node: NodeInput): XledgerLedgerItem {
    const account = node.account ? this.findAccount(node.account) : undefined;
    return this.ledger.add({
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
  }

  /** Why the entity cannot book this item (the message `glImportItemErrors` shows), if anything. */
  private processingProblem(node: NodeInput, item: XledgerLedgerItem): string | undefined {
    if (!this.sources.has(item.transactionSource))
      return `Transaction source '${node.transactionSource.code ?? node.transactionSource.dbId ?? ''}' does not exist`;
    if (!node.account) return 'Account is required';
    if (!this.findAccount(node.account))
      return `Account '${node.account.code ?? node.account.dbId ?? ''}' does not exist`;
    if (item.postedDate === null) return 'Posted date is required';
    if (item.amount === null) return 'Amount is required';
    return this.faults.ruleRejection({
      id: (item.extIdentifier ?? '').split(':')[0] ?? '',
      account: item.accountCode ?? '',
      amount: item.amount,
    });
  }

  /**
   * Process staged items voucher by voucher (I: a voucher is the items of one mutation sharing
   * transaction source, `trRegNumber`, posted date and invoice number). A voucher with a line the
   * entity cannot book, or that does not balance, is refused whole: every line gets an entry in
   * `glImportItemErrors` (the help centre's example posts a balanced pair, +101.00 / -101.00).
   */
  private process(staged: readonly { input: AddInput; item: XledgerLedgerItem }[]): void {
    const vouchers = new Map<string, { input: AddInput; item: XledgerLedgerItem }[]>();
    for (const entry of staged) {
      const { item } = entry;
      const key = [item.transactionSource, item.trRegNumber, item.postedDate, item.invoiceNumber].join('|');
      vouchers.set(key, [...(vouchers.get(key) ?? []), entry]);
    }
    for (const voucher of vouchers.values()) {
      const problems = voucher.map(({ input, item }) => this.processingProblem(input.node, item));
      if (problems.some((p) => p !== undefined)) {
        voucher.forEach(({ item }, i) => {
          this.ledger.refuse(item, problems[i] ?? 'The voucher was refused because another of its lines was');
        });
        continue;
      }
      const total = voucher.reduce((sum, { item }) => sum + scaled(item.amount ?? '0'), 0n);
      if (total === 0n) continue;
      for (const { item } of voucher) {
        this.ledger.refuse(item, `The voucher is out of balance by ${unscaled(total)}`);
      }
    }
  }

  private findAccount(ref: RefInput) {
    return this.accounts.find(
      (a) =>
        (ref.code !== undefined && ref.code !== null && a.code === ref.code) ||
        (ref.dbId != null && a.dbId === ref.dbId),
    );
  }

  private itemNode(item: XledgerLedgerItem) {
    const account = item.accountCode ? this.accounts.find((a) => a.code === item.accountCode) : undefined;
    return {
      dbId: item.dbId,
      extIdentifier: item.extIdentifier,
      postedDate: item.postedDate,
      amount: item.amount,
      text: item.text,
      invoiceNumber: item.invoiceNumber,
      trRegNumber: item.trRegNumber,
      createdAt: item.createdAt,
      modifiedAt: item.createdAt,
      transactionSource: { code: item.transactionSource },
      account: account ?? (item.accountCode ? { dbId: '0', code: item.accountCode } : null),
      currency: item.currency ? { code: item.currency } : null,
      fiscalYear: item.postedDate ? Number(item.postedDate.slice(0, 4)) : null,
      fiscalPeriod: item.postedDate ? Number(item.postedDate.slice(5, 7)) : null,
      discount: null,
      discountAmount: null,
      discountDate: null,
    };
  }
}

interface RefInput {
  dbId?: string | null;
  dbSubId?: number | null;
  code?: string | null;
  description?: string | null;
}
interface NodeInput {
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
interface AddInput {
  clientId?: string | null;
  node: NodeInput;
}
interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
}
interface ItemFilter {
  dbId?: string | null;
  dbId_in?: readonly string[] | null;
  extIdentifier?: string | null;
  extIdentifier_in?: readonly string[] | null;
  trRegNumber?: number | null;
}
interface ErrorFilter {
  dbId?: string | null;
  transactionDbId?: string | null;
  transactionDbId_in?: readonly string[] | null;
}
interface AccountFilter {
  dbId?: string | null;
  code?: string | null;
  code_in?: readonly string[] | null;
}

function matchesItem(item: XledgerLedgerItem, f: ItemFilter | undefined): boolean {
  if (!f) return true;
  if (f.dbId != null && item.dbId !== f.dbId) return false;
  if (f.dbId_in != null && !f.dbId_in.includes(item.dbId)) return false;
  if (f.extIdentifier != null && item.extIdentifier !== f.extIdentifier) return false;
  if (
    f.extIdentifier_in != null &&
    (item.extIdentifier === null || !f.extIdentifier_in.includes(item.extIdentifier))
  )
    return false;
  if (f.trRegNumber != null && item.trRegNumber !== f.trRegNumber) return false;
  return true;
}

function matchesError(e: { dbId: string; transactionDbId: string }, f: ErrorFilter | undefined): boolean {
  if (!f) return true;
  if (f.dbId != null && e.dbId !== f.dbId) return false;
  if (f.transactionDbId != null && e.transactionDbId !== f.transactionDbId) return false;
  if (f.transactionDbId_in != null && !f.transactionDbId_in.includes(e.transactionDbId)) return false;
  return true;
}

function matchesAccount(a: XledgerAccount & { dbId: string }, f: AccountFilter | undefined): boolean {
  if (!f) return true;
  if (f.dbId != null && a.dbId !== f.dbId) return false;
  if (f.code != null && a.code !== f.code) return false;
  if (f.code_in != null && !f.code_in.includes(a.code)) return false;
  return true;
}

/** A Relay page over rows ordered by `dbId`; cursors are opaque base64 of the `dbId`. */
function page<T extends { dbId: string }>(
  rows: readonly T[],
  args: PageArgs,
  maxPageSize: number,
  toNode: (row: T) => unknown,
) {
  if (args.after != null && decodeCursor(args.after) === null) {
    throw new GraphQLErrorClass('after is not a cursor of this connection');
  }
  for (const n of [args.first, args.last]) {
    if (n != null && n < 0) throw new GraphQLErrorClass('first and last must not be negative');
  }
  const after = args.after != null ? decodeCursor(args.after) : null;
  const rest = after === null ? [...rows] : rows.filter((r) => BigInt(r.dbId) > after);
  // Larger pages are cut to the server's ceiling, as GraphQL servers commonly do; hasNextPage says so.
  let slice: T[];
  let hasNextPage = false;
  let hasPreviousPage = after !== null;
  if (args.first == null && args.last != null) {
    const size = Math.min(args.last, maxPageSize);
    slice = rest.slice(Math.max(0, rest.length - size));
    hasPreviousPage = slice.length < rest.length;
  } else {
    const size = Math.min(args.first ?? maxPageSize, maxPageSize);
    slice = rest.slice(0, size);
    hasNextPage = rest.length > size;
  }
  const edges = slice.map((row) => ({ cursor: encodeCursor(row.dbId), node: toNode(row) }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

function refused(status: number, errors: readonly GraphQLError[]): Answer {
  return { status, body: { errors: errors.map((e) => e.toJSON()) } };
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

function encodeCursor(dbId: string): string {
  return Buffer.from(`dbId:${dbId}`).toString('base64');
}

/** The `dbId` inside a cursor, or null when it is not one of ours. */
function decodeCursor(cursor: string): bigint | null {
  const match = /^dbId:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return match?.[1] ? BigInt(match[1]) : null;
}
