import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { type EmulatorStats, emptyStats } from './emulator-stats.js';
import type { FaultState } from './faults.js';
import { dropConnection, sendJson, sendTruncatedJson, tryParseJson } from './http-io.js';
import { decimalText, isIsoDate, isObject } from './json-shape.js';
import { XledgerLedger, type XledgerLedgerItem } from './xledger-ledger.js';

/** Settings of the Xledger emulator. */
export interface XledgerEmulatorSettings {
  /** API tokens it accepts. */
  tokens: readonly string[];
  /** Largest `first` a read-back page may ask for. */
  maxPageSize: number;
}

interface GraphQlAnswer {
  data?: unknown;
  errors?: unknown[];
}

/**
 * The subset of Xledger's GraphQL API the adapter uses, at `POST /xledger/graphql`: the
 * `addGLImportItems` mutation and the `glImportItems` read-back query. Operations are recognised by
 * their root field and read their arguments from `variables` (which is how the adapter sends them);
 * a query with neither field answers "Cannot query field", as Xledger does.
 *
 * Items are applied one by one: valid ones are stored, each refused one gets an error naming it by
 * `extensions.extIdentifier` and `extensions.inputIndex`. A repeated `extIdentifier` is refused
 * with `DUPLICATE_EXT_IDENTIFIER`, so a double posting cannot go unnoticed.
 */
export class XledgerEmulator {
  readonly ledger = new XledgerLedger();
  stats: EmulatorStats = emptyStats();

  constructor(
    private readonly settings: XledgerEmulatorSettings,
    readonly faults: FaultState,
  ) {}

  reset(): void {
    this.ledger.reset();
    this.stats = emptyStats();
  }

  async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const { faults, stats } = this;
    stats.requests += 1;
    const request = tryParseJson(body);
    const query = isObject(request) && typeof request.query === 'string' ? request.query : '';
    const variables = isObject(request) && isObject(request.variables) ? request.variables : {};
    const isWrite = /\baddGLImportItems\b/.test(query);
    if (isWrite) stats.writes += 1;

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
    if (!isObject(request)) {
      sendJson(res, 400, {
        errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }],
      });
      return;
    }

    const answer = isWrite
      ? this.addItems(variables)
      : /\bglImportItems\b/.test(query)
        ? this.readItems(variables)
        : /\b__typename\b/.test(query)
          ? { data: { __typename: 'Query' } }
          : {
              errors: [
                {
                  message: "Cannot query field on type 'Query'",
                  extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
                },
              ],
            };

    if (isWrite && faults.take('dropAfterWrite')) {
      stats.dropped += 1;
      dropConnection(res);
      return;
    }
    if (faults.take('malformed')) {
      stats.malformed += 1;
      sendTruncatedJson(res, answer);
      return;
    }
    sendJson(res, 200, answer);
  }

  private authorized(req: IncomingMessage): boolean {
    const match = /^token\s+(\S+)$/.exec(req.headers.authorization ?? '');
    return match?.[1] !== undefined && this.settings.tokens.includes(match[1]);
  }

  private addItems(variables: Record<string, unknown>): GraphQlAnswer {
    const inputs = variables.inputs;
    if (!Array.isArray(inputs)) {
      return {
        errors: [
          {
            message: 'Variable "$inputs" of a list type was not provided',
            extensions: { code: 'BAD_USER_INPUT' },
          },
        ],
      };
    }
    const edges: unknown[] = [];
    const errors: unknown[] = [];
    inputs.forEach((input, inputIndex) => {
      const node = isObject(input) && isObject(input.node) ? input.node : {};
      const extIdentifier = typeof node.extIdentifier === 'string' ? node.extIdentifier : undefined;
      const refuse = (code: string, message: string, field?: string) =>
        errors.push({
          message,
          path: ['addGLImportItems'],
          extensions: {
            code,
            inputIndex,
            ...(extIdentifier ? { extIdentifier } : {}),
            ...(field ? { field } : {}),
          },
        });
      const item = readItem(node);
      if ('problem' in item) {
        this.stats.itemsRejected += 1;
        refuse('INVALID_VALUE', item.problem, item.field);
        return;
      }
      const ruled = this.faults.ruleRejection({
        id: item.extIdentifier,
        account: item.accountCode,
        amount: item.amount,
      });
      if (ruled) {
        this.stats.itemsRejected += 1;
        refuse('INVALID_VALUE', ruled);
        return;
      }
      if (this.ledger.has(item.extIdentifier)) {
        this.stats.duplicatesRefused += 1;
        refuse(
          'DUPLICATE_EXT_IDENTIFIER',
          `An item with extIdentifier ${item.extIdentifier} already exists`,
          'extIdentifier',
        );
        return;
      }
      const stored = this.ledger.add(item);
      this.stats.itemsPosted += 1;
      edges.push({ node: { dbId: stored.dbId, extIdentifier: stored.extIdentifier } });
    });
    const data = { addGLImportItems: { edges } };
    return errors.length > 0 ? { data, errors } : { data };
  }

  private readItems(variables: Record<string, unknown>): GraphQlAnswer {
    const requested = variables.first ?? 100;
    if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1) {
      return invalidArgument('first must be a positive integer');
    }
    // Larger pages are cut to the server's ceiling, as GraphQL servers commonly do; hasNextPage says so.
    const first = Math.min(requested, this.settings.maxPageSize);
    const filter = isObject(variables.filter) ? variables.filter : {};
    const wanted = filter.extIdentifier_in;
    if (wanted !== undefined && !(Array.isArray(wanted) && wanted.every((w) => typeof w === 'string'))) {
      return invalidArgument('filter.extIdentifier_in must be a list of strings');
    }
    const after =
      variables.after === null || variables.after === undefined ? undefined : decodeCursor(variables.after);
    if (after === null) return invalidArgument('after is not a cursor of this connection');
    const matching = this.ledger
      .find(wanted)
      .filter((item) => after === undefined || Number(item.dbId) > after);
    const page = matching.slice(0, first);
    const edges = page.map((item) => ({ cursor: encodeCursor(item.dbId), node: readBackNode(item) }));
    return {
      data: {
        glImportItems: {
          edges,
          pageInfo: { hasNextPage: matching.length > first, endCursor: edges.at(-1)?.cursor ?? null },
        },
      },
    };
  }
}

type ItemInput = Omit<XledgerLedgerItem, 'dbId' | 'createdAt'>;

function readItem(node: Record<string, unknown>): ItemInput | { problem: string; field: string } {
  const { extIdentifier, postedDate, text, trRegNumber } = node;
  if (typeof extIdentifier !== 'string' || extIdentifier.length === 0 || extIdentifier.length > 100) {
    return { problem: 'extIdentifier must be a string of 1 to 100 characters', field: 'extIdentifier' };
  }
  if (!isIsoDate(postedDate))
    return { problem: 'postedDate must be a date (YYYY-MM-DD)', field: 'postedDate' };
  const accountCode =
    isObject(node.account) && typeof node.account.code === 'string' ? node.account.code : '';
  if (accountCode === '') return { problem: 'account.code is required', field: 'account' };
  const amount = decimalText(node.amount);
  if (amount === undefined) return { problem: 'amount must be a decimal', field: 'amount' };
  const currency =
    isObject(node.currency) && typeof node.currency.code === 'string' ? node.currency.code : '';
  if (!/^[A-Z]{3}$/.test(currency))
    return { problem: 'currency.code must be an ISO-4217 code', field: 'currency' };
  if (text !== undefined && text !== null && (typeof text !== 'string' || text.length > 1_000)) {
    return { problem: 'text must be a string of at most 1000 characters', field: 'text' };
  }
  if (trRegNumber !== undefined && trRegNumber !== null && !Number.isSafeInteger(trRegNumber)) {
    return { problem: 'trRegNumber must be an integer', field: 'trRegNumber' };
  }
  return {
    extIdentifier,
    postedDate,
    accountCode,
    amount,
    currency,
    text: typeof text === 'string' ? text : null,
    trRegNumber: typeof trRegNumber === 'number' ? trRegNumber : null,
  };
}

function readBackNode(item: XledgerLedgerItem) {
  return {
    dbId: item.dbId,
    extIdentifier: item.extIdentifier,
    trRegNumber: item.trRegNumber,
    postedDate: item.postedDate,
    amount: item.amount,
    fiscalYear: Number(item.postedDate.slice(0, 4)),
    period: Number(item.postedDate.slice(5, 7)),
  };
}

function invalidArgument(message: string): GraphQlAnswer {
  return { errors: [{ message, extensions: { code: 'INVALID_VALUE' } }] };
}

function encodeCursor(dbId: string): string {
  return Buffer.from(`dbId:${dbId}`).toString('base64');
}

/** The `dbId` inside a cursor, or null when it is not one of ours. */
function decodeCursor(cursor: unknown): number | null {
  if (typeof cursor !== 'string') return null;
  const match = /^dbId:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return match?.[1] ? Number(match[1]) : null;
}
