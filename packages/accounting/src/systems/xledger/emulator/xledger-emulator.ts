import type { IncomingMessage, ServerResponse } from 'node:http';
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
import { type FaultState, spoilAnswer } from '../../../emulators/faults.js';
import { sendJson, tryParseJson } from '../../../emulators/http-io.js';
import { isObject } from '../../../emulators/json-shape.js';
import { buildXledgerSchema } from './schema.js';
import { XledgerLedger, type XledgerLedgerItem } from './xledger-ledger.js';
import {
  DEMO_INPUT_VAT_ACCOUNT,
  DEMO_OUTPUT_VAT_ACCOUNT,
  DEMO_XLEDGER_MASTER_DATA,
  type MasterDataRow,
  type XledgerMasterData,
  XledgerMasterDataIndex,
} from './xledger-master-data.js';
import {
  type AccountFilter,
  type ErrorFilter,
  type ItemFilter,
  type JournalEntryFilter,
  matchesAccount,
  matchesEntry,
  matchesError,
  matchesItem,
  type PageArgs,
  page,
  XLEDGER_MAX_RECORDS_PER_QUERY,
} from './xledger-paging.js';
import {
  type NodeInput,
  type RefInput,
  type XledgerAccount,
  XledgerProcessing,
} from './xledger-processing.js';

export type { XledgerAccount } from './xledger-processing.js';

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
  /** Tax rules, GL object values, projects and employees (default {@link DEMO_XLEDGER_MASTER_DATA}). */
  masterData?: XledgerMasterData;
}

/** Help centre article 8715787519634 ("GraphQL general tips"): at most 500 nodes per mass mutation. */
const XLEDGER_MAX_NODES_PER_MUTATION = 500;

/** The demo entity's chart: every account the demo seed and the tests book to, and the contra accounts. */
const DEMO_XLEDGER_ACCOUNTS: readonly XledgerAccount[] = [
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
  // Appended, so the earlier accounts keep their dbIds: where the tax rules book VAT.
  { code: DEMO_OUTPUT_VAT_ACCOUNT, description: 'Output VAT' },
  { code: DEMO_INPUT_VAT_ACCOUNT, description: 'Input VAT' },
];

type Answer = { status: number; body: { data?: unknown; errors?: readonly GraphQLFormattedError[] } };

/**
 * Xledger's GraphQL API at `POST /xledger/graphql`, as far as public sources describe it. Every
 * request is parsed, validated and executed with graphql-js against the committed SDL
 * (`xledger/schema.graphql`), so inline literals and variables both work and invalid documents
 * get the errors a GraphQL server gives.
 *
 * `addGLImportItems` stages every node as a GL import item (echoing each input's `clientId` on
 * its edge) and {@link XledgerProcessing} processes it, at once or `processingDelayMs` later: a
 * booked item becomes a `journalEntries` row carrying its `extIdentifier`; an item the entity
 * cannot book (unknown account or transaction source, a voucher out of balance, a fault rule)
 * stays staged with an entry in `glImportItemErrors`. `extIdentifier` is not unique: a repeated one is stored again, as nothing
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
  readonly processing: XledgerProcessing;
  readonly masterData: XledgerMasterDataIndex;
  /** Largest page a read returns: the server's setting, never above Xledger's 10,000. */
  private readonly maxPageSize: number;

  constructor(
    private readonly settings: XledgerEmulatorSettings,
    readonly faults: FaultState,
  ) {
    this.accounts = (settings.accounts ?? DEMO_XLEDGER_ACCOUNTS).map((a, i) => ({
      ...a,
      dbId: String(500_001 + i),
    }));
    this.maxPageSize = Math.min(settings.maxPageSize, XLEDGER_MAX_RECORDS_PER_QUERY);
    const transactionSources = new Set(
      (settings.transactionSources ?? ['GL', 'AR', 'AP']).map((s) => s.toUpperCase()),
    );
    this.masterData = new XledgerMasterDataIndex(settings.masterData ?? DEMO_XLEDGER_MASTER_DATA);
    this.processing = new XledgerProcessing({
      ledger: this.ledger,
      masterData: this.masterData,
      faults,
      transactionSources,
      findAccount: (ref) => this.findAccount(ref),
      counted: (booked) => {
        if (booked) this.stats.itemsPosted += 1;
        else this.stats.itemsRejected += 1;
      },
    });
  }

  /** Process whatever is due: called before anything reads or changes the ledger. */
  catchUp(): void {
    this.processing.processDue(Date.now());
  }

  reset(): void {
    this.ledger.reset();
    this.processing.reset();
    this.stats = emptyStats();
  }

  async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const { faults, stats } = this;
    stats.requests += 1;
    await faults.latency();
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

    this.catchUp();
    const { answer, isWrite } = this.answer(body, req.headers.accept ?? '');
    if (spoilAnswer(faults, res, stats, { isWrite, body: answer.body })) return;
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
          this.itemCandidates(args.filter ?? undefined).filter(
            (item) =>
              matchesItem(item, args.filter ?? undefined) &&
              (item.status !== 'processed' || this.faults.xledgerProcessing.processedListed),
          ),
          args,
          this.maxPageSize,
          (item) => this.itemNode(item),
        ),
      glImportItemErrors: (args: PageArgs & { filter?: ErrorFilter | null }) =>
        page(
          (args.filter?.transactionDbId_in != null
            ? this.ledger.errorsOf(args.filter.transactionDbId_in)
            : this.ledger.listErrors()
          ).filter((e) => matchesError(e, args.filter ?? undefined)),
          args,
          this.maxPageSize,
          (e) => ({
            dbId: e.dbId,
            createdAt: e.createdAt,
            message: e.message,
            transactionDbId: e.transactionDbId,
            errorLevelDbId: '1',
            errorLevel: { dbId: '1', code: 'ERROR', name: 'Error' },
          }),
        ),
      journalEntries: (args: PageArgs & { filter?: JournalEntryFilter | null }) => {
        const filter = args.filter ?? undefined;
        const candidates =
          filter?.extIdentifier_in != null
            ? this.ledger.entriesWithExtIdentifiers(filter.extIdentifier_in)
            : filter?.extIdentifier != null
              ? this.ledger.entriesWithExtIdentifiers([filter.extIdentifier])
              : this.ledger.listEntries();
        return page(
          candidates.filter((e) => matchesEntry(e, filter)),
          args,
          this.maxPageSize,
          (e) => ({
            dbId: e.dbId,
            extIdentifier: e.extIdentifier,
            invoiceNumber: e.invoiceNumber,
            transactionNumber: null,
            text: e.text,
            amount: e.amount,
            postedDate: e.postedDate,
            createdAt: e.createdAt,
            modifiedAt: e.createdAt,
            fiscalYear: Number(e.postedDate.slice(0, 4)) || null,
            fiscalPeriod: Number(e.postedDate.slice(5, 7)) || null,
            account: this.accounts.find((a) => a.code === e.accountCode) ?? null,
          }),
        );
      },
      accounts: (args: PageArgs & { filter?: AccountFilter | null }) =>
        page(
          this.accounts.filter((a) => matchesAccount(a, args.filter ?? undefined)),
          args,
          this.maxPageSize,
          (a) => ({ ...a, posting: true }),
        ),
      objectKinds: (args: PageArgs) => page(this.masterData.objectKinds, args, this.maxPageSize, (k) => k),
      objectValues: (args: PageArgs & { filter?: CodeFilter | null }) =>
        this.masterDataPage(this.masterData.objectValues, args, (v) => ({ ...v, posting: true })),
      projects: (args: PageArgs & { filter?: CodeFilter | null }) =>
        this.masterDataPage(this.masterData.projects, args, (p) => p),
      employees: (args: PageArgs & { filter?: CodeFilter | null }) =>
        this.masterDataPage(this.masterData.employees, args, (e) => e),
    };
  }

  private masterDataPage(
    rows: readonly MasterDataRow[],
    args: PageArgs & { filter?: CodeFilter | null },
    node: (row: MasterDataRow) => unknown,
  ) {
    const f = args.filter ?? undefined;
    return page(
      rows.filter(
        (r) =>
          (f?.dbId == null || r.dbId === f.dbId) &&
          (f?.objectKindDbId == null || r.objectKindDbId === f.objectKindDbId) &&
          (f?.code == null || r.code === f.code) &&
          (f?.code_in == null || f.code_in.includes(r.code)),
      ),
      args,
      this.maxPageSize,
      node,
    );
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
    const items = this.processing.stage(
      inputs.map((input) => input.node),
      Date.now(),
    );
    return {
      edges: items.map((item, i) => ({
        clientId: inputs[i]?.clientId ?? null,
        node: this.itemNode(item),
      })),
    };
  }

  findAccount(ref: RefInput) {
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
      taxRule: item.taxRule ? { code: item.taxRule } : null,
      taxAmount: item.taxAmount,
      invoiceAmount: item.invoiceAmount,
      exchangeRate: item.exchangeRate === null ? null : Number(item.exchangeRate),
      discount: null,
      discountAmount: null,
      discountDate: null,
    };
  }
}

interface CodeFilter {
  dbId?: string | null;
  objectKindDbId?: string | null;
  code?: string | null;
  code_in?: readonly string[] | null;
}

interface AddInput {
  clientId?: string | null;
  node: NodeInput;
}

function refused(status: number, errors: readonly GraphQLError[]): Answer {
  return { status, body: { errors: errors.map((e) => e.toJSON()) } };
}
