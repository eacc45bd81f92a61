import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { DOCUMENT_NUMBER_MAX, EXTERNAL_DOCUMENT_NUMBER_MAX } from '../dynamics/external-document-number.js';
import { DynamicsLedger, type DynamicsLedgerLine } from './dynamics-ledger.js';
import { type EmulatorStats, emptyStats } from './emulator-stats.js';
import type { FaultState } from './faults.js';
import { dropConnection, sendJson, sendTruncatedJson, tryParseJson } from './http-io.js';
import { decimalText, isIsoDate, isObject } from './json-shape.js';

/** Settings of the Business Central emulator. */
export interface DynamicsEmulatorSettings {
  /** Client id → secret pairs the token endpoint accepts. */
  clients: Readonly<Record<string, string>>;
  /** Lifetime of an issued access token. */
  tokenTtlSeconds: number;
  /** Largest page of journal lines one GET returns (more come through `@odata.nextLink`). */
  maxPageSize: number;
  /** The emulator's clock (token expiry). */
  now: () => number;
}

/** An answer to one operation, direct or inside `$batch`. */
interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const MAX_BATCH_OPERATIONS = 100;
const DESCRIPTION_MAX = 100;
const ACCOUNT_NUMBER_MAX = 20;
const JOURNAL_PATH =
  /^companies\(([^()/]+)\)\/journals\(([^()/]+)\)(?:\/(journalLines|Microsoft\.NAV\.post))?$/;

/**
 * The subset of Entra ID and Business Central API v2.0 the adapter uses: the client-credentials
 * token endpoint, journal lines (create, filtered read), `Microsoft.NAV.post`, and JSON `$batch`
 * of at most 100 operations. A second line with the same external document number in a company is
 * refused with `Internal_EntityWithSameKeyExists`, so a double posting cannot go unnoticed.
 */
export class DynamicsEmulator {
  readonly ledger = new DynamicsLedger();
  stats: EmulatorStats = emptyStats();
  private readonly tokens = new Map<string, number>();

  constructor(
    private readonly settings: DynamicsEmulatorSettings,
    readonly faults: FaultState,
  ) {}

  reset(): void {
    this.ledger.reset();
    this.stats = emptyStats();
    this.tokens.clear();
  }

  /** Invalidate every issued token (the next API call answers 401 until a new token is fetched). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** `POST /dynamics/oauth2/v2.0/token` — client credentials, form-encoded. */
  handleToken(req: IncomingMessage, res: ServerResponse, body: string): void {
    this.stats.tokenRequests += 1;
    const form = new URLSearchParams(body);
    const refusal = this.tokenRefusal(req.method ?? 'GET', form);
    if (refusal) {
      const [status, error, description] = refusal;
      if (error === 'invalid_client') this.stats.authFailures += 1;
      sendJson(res, status, { error, error_description: description, correlation_id: randomUUID() });
      return;
    }
    const accessToken = randomBytes(24).toString('base64url');
    const ttl = this.settings.tokenTtlSeconds;
    this.tokens.set(accessToken, this.settings.now() + ttl * 1000);
    sendJson(res, 200, {
      token_type: 'Bearer',
      expires_in: ttl,
      ext_expires_in: ttl,
      access_token: accessToken,
    });
  }

  /** Why Entra ID would refuse this token request (status, OAuth error, description), if it would. */
  private tokenRefusal(method: string, form: URLSearchParams): [number, string, string] | undefined {
    if (method !== 'POST')
      return [405, 'invalid_request', 'AADSTS900561: The endpoint only accepts POST requests.'];
    if (form.get('grant_type') !== 'client_credentials') {
      return [400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.'];
    }
    const secret = this.settings.clients[form.get('client_id') ?? ''];
    if (this.faults.authFailure || secret === undefined || secret !== form.get('client_secret')) {
      return [401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.'];
    }
    if (!form.get('scope')?.endsWith('/.default')) {
      return [400, 'invalid_scope', 'AADSTS1002012: The provided value for scope is not valid.'];
    }
    return undefined;
  }

  /** Everything under `/dynamics/api/v2.0/`; `path` is what follows that prefix. */
  async handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    search: URLSearchParams,
    body: string,
  ): Promise<void> {
    const { faults, stats } = this;
    stats.requests += 1;
    const method = req.method ?? 'GET';
    const isWrite = method === 'POST';
    if (isWrite) stats.writes += 1;

    if (faults.latencyMs > 0) await delay(faults.latencyMs);
    if (faults.authFailure || !this.authorized(req)) {
      stats.authFailures += 1;
      send(res, {
        status: 401,
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
        body: odataError(
          'Authentication_InvalidCredentials',
          'The server has rejected the client credentials.',
        ),
      });
      return;
    }
    if (faults.take('throttle')) {
      stats.throttled += 1;
      send(res, {
        status: 429,
        headers: { 'retry-after': String(faults.retryAfterSeconds) },
        body: odataError(
          'Application_TooManyRequests',
          'The rate of requests exceeds the limit. Try again later.',
        ),
      });
      return;
    }
    if (faults.take('serverErrors')) {
      stats.serverErrors += 1;
      send(res, {
        status: faults.serverErrorStatus,
        body: odataError('Internal_ServerError', 'Something went wrong.'),
      });
      return;
    }

    const apiBase = `http://${req.headers.host ?? 'localhost'}/dynamics/api/v2.0/`;
    const answer =
      path === '$batch' && method === 'POST'
        ? this.batch(body, apiBase)
        : this.operation(method, path, search, body === '' ? undefined : tryParseJson(body), apiBase);

    if (isWrite && faults.take('dropAfterWrite')) {
      stats.dropped += 1;
      dropConnection(res);
      return;
    }
    if (faults.take('malformed')) {
      stats.malformed += 1;
      sendTruncatedJson(res, answer.body ?? {});
      return;
    }
    send(res, answer);
  }

  private authorized(req: IncomingMessage): boolean {
    const token = /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined) return false;
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return false;
    if (this.settings.now() >= expiresAt) {
      this.tokens.delete(token);
      return false;
    }
    return true;
  }

  private batch(text: string, apiBase: string): Answer {
    const request = tryParseJson(text);
    if (!isObject(request) || !Array.isArray(request.requests)) {
      return {
        status: 400,
        body: odataError('BadRequest_InvalidRequestBody', 'The batch request body is not valid.'),
      };
    }
    if (request.requests.length > MAX_BATCH_OPERATIONS) {
      return {
        status: 400,
        body: odataError(
          'BadRequest_InvalidRequestBody',
          `A batch request may contain at most ${MAX_BATCH_OPERATIONS} operations.`,
        ),
      };
    }
    const responses = request.requests.map((op: unknown, index) => {
      const operation = isObject(op) ? op : {};
      const id = typeof operation.id === 'string' ? operation.id : String(index + 1);
      const method = typeof operation.method === 'string' ? operation.method.toUpperCase() : 'GET';
      const url = typeof operation.url === 'string' ? operation.url : '';
      const [rawPath = '', query = ''] = url
        .replace(/^.*\/api\/v2\.0\//, '')
        .replace(/^\//, '')
        .split('?');
      const answer = this.operation(
        method,
        decodeURIComponent(rawPath),
        new URLSearchParams(query),
        operation.body,
        apiBase,
      );
      return {
        id,
        status: answer.status,
        headers: { 'content-type': 'application/json; odata.metadata=minimal', ...answer.headers },
        ...(answer.body !== undefined ? { body: answer.body } : {}),
      };
    });
    return { status: 200, body: { responses } };
  }

  private operation(
    method: string,
    path: string,
    search: URLSearchParams,
    body: unknown,
    apiBase: string,
  ): Answer {
    const match = JOURNAL_PATH.exec(path);
    if (!match)
      return {
        status: 404,
        body: odataError('BadRequest_NotFound', `No resource was found at ${path.slice(0, 200)}.`),
      };
    const [, companyId = '', journalId = '', tail] = match;
    if (tail === undefined && method === 'GET') {
      return { status: 200, body: { id: journalId, code: 'MEANDER', displayName: 'Meander expenses' } };
    }
    if (tail === 'journalLines' && method === 'POST') return this.createLine(companyId, journalId, body);
    if (tail === 'journalLines' && method === 'GET')
      return this.listLines(companyId, journalId, path, search, apiBase);
    if (tail === 'Microsoft.NAV.post' && method === 'POST') {
      this.ledger.post(companyId, journalId);
      return { status: 204 };
    }
    return {
      status: 405,
      body: odataError('BadRequest_MethodNotAllowed', `${method} is not allowed on ${path.slice(0, 200)}.`),
    };
  }

  private createLine(companyId: string, journalId: string, body: unknown): Answer {
    if (!isObject(body)) {
      return {
        status: 400,
        body: odataError('BadRequest_InvalidRequestBody', 'The request body is not a journal line.'),
      };
    }
    const line = readLine(body);
    if ('code' in line) {
      this.stats.itemsRejected += 1;
      return { status: 400, body: odataError(line.code, line.message) };
    }
    const ruled = this.faults.ruleRejection({
      id: line.externalDocumentNumber,
      account: line.accountNumber,
      amount: line.amount,
    });
    if (ruled) {
      this.stats.itemsRejected += 1;
      return { status: 400, body: odataError('Application_FieldValidationException', ruled) };
    }
    if (this.ledger.has(companyId, line.externalDocumentNumber)) {
      this.stats.duplicatesRefused += 1;
      return {
        status: 409,
        body: odataError(
          'Internal_EntityWithSameKeyExists',
          `The record in table Gen. Journal Line already exists. Identification fields and values: External Document No.='${line.externalDocumentNumber}'`,
        ),
      };
    }
    const stored = this.ledger.add({ ...line, companyId, journalId });
    this.stats.itemsPosted += 1;
    return { status: 201, body: lineView(stored) };
  }

  private listLines(
    companyId: string,
    journalId: string,
    path: string,
    search: URLSearchParams,
    apiBase: string,
  ): Answer {
    const filter = search.get('$filter');
    const keys = filter === null ? undefined : parseKeyFilter(filter);
    if (keys === null) {
      return {
        status: 400,
        body: odataError(
          'BadRequest_InvalidFilter',
          "The emulator filters journal lines by externalDocumentNumber eq '…' (or …) or in (…) only.",
        ),
      };
    }
    const skip = Math.max(0, Number(search.get('$skip') ?? 0) || 0);
    const top = Math.min(
      this.settings.maxPageSize,
      Math.max(1, Number(search.get('$top') ?? this.settings.maxPageSize) || 1),
    );
    const lines = this.ledger.journalLines(companyId, journalId, keys);
    const page = lines.slice(skip, skip + top);
    const body: Record<string, unknown> = { value: page.map(lineView) };
    if (skip + top < lines.length) {
      const next = new URLSearchParams(search);
      next.set('$skip', String(skip + top));
      body['@odata.nextLink'] = `${apiBase}${path}?${next.toString()}`;
    }
    return { status: 200, body };
  }
}

type LineInput = Pick<
  DynamicsLedgerLine,
  | 'accountType'
  | 'accountNumber'
  | 'postingDate'
  | 'documentNumber'
  | 'externalDocumentNumber'
  | 'amount'
  | 'description'
>;

/** Validate a journal line the way Business Central's fields would: Code fields upper-cased, lengths bounded. */
function readLine(body: Record<string, unknown>): LineInput | { code: string; message: string } {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const tooLong = (field: string, value: string, max: number) => ({
    code: 'Application_StringExceededLength',
    message: `The length of the string for ${field} is ${value.length}, but it must be less than or equal to ${max} characters. Value: ${value.slice(0, 60)}`,
  });
  const accountNumber = text(body.accountNumber).toUpperCase();
  if (accountNumber === '')
    return { code: 'Application_FieldValidationException', message: 'Account No. must have a value.' };
  if (accountNumber.length > ACCOUNT_NUMBER_MAX)
    return tooLong('accountNumber', accountNumber, ACCOUNT_NUMBER_MAX);
  if (!isIsoDate(body.postingDate)) {
    return { code: 'BadRequest_InvalidRequestBody', message: 'postingDate must be a date (YYYY-MM-DD).' };
  }
  const externalDocumentNumber = text(body.externalDocumentNumber).toUpperCase();
  if (externalDocumentNumber === '') {
    return {
      code: 'Application_FieldValidationException',
      message: 'External Document No. must have a value.',
    };
  }
  if (externalDocumentNumber.length > EXTERNAL_DOCUMENT_NUMBER_MAX) {
    return tooLong('externalDocumentNumber', externalDocumentNumber, EXTERNAL_DOCUMENT_NUMBER_MAX);
  }
  const documentNumber = text(body.documentNumber).toUpperCase();
  if (documentNumber.length > DOCUMENT_NUMBER_MAX)
    return tooLong('documentNumber', documentNumber, DOCUMENT_NUMBER_MAX);
  const amount = decimalText(body.amount);
  if (amount === undefined)
    return { code: 'BadRequest_InvalidRequestBody', message: 'amount must be a decimal.' };
  const description = text(body.description);
  if (description.length > DESCRIPTION_MAX) return tooLong('description', description, DESCRIPTION_MAX);
  return {
    accountType: text(body.accountType) || 'G/L Account',
    accountNumber,
    postingDate: body.postingDate,
    documentNumber,
    externalDocumentNumber,
    amount,
    description,
  };
}

/** The external document numbers a `$filter` asks for; null when the filter is outside the supported subset. */
export function parseKeyFilter(filter: string): string[] | null {
  const literal = "'((?:[^']|'')*)'";
  const unquote = (s: string) => s.replaceAll("''", "'");
  const inForm = /^\s*externalDocumentNumber\s+in\s+\((.*)\)\s*$/i.exec(filter);
  if (inForm) {
    const list = inForm[1] ?? '';
    const items = [...list.matchAll(new RegExp(`\\s*${literal}\\s*(,|$)`, 'g'))];
    const rebuilt = items.map((m) => m[0]).join('');
    if (rebuilt.trim() !== list.trim()) return null;
    return items.map((m) => unquote(m[1] ?? ''));
  }
  const clause = new RegExp(`\\s*externalDocumentNumber\\s+eq\\s+${literal}\\s*(?:or\\b|$)`, 'iy');
  const keys: string[] = [];
  clause.lastIndex = 0;
  while (clause.lastIndex < filter.length) {
    const m = clause.exec(filter);
    if (!m) return null;
    keys.push(unquote(m[1] ?? ''));
  }
  return keys.length > 0 ? keys : null;
}

function lineView(line: DynamicsLedgerLine) {
  return {
    '@odata.etag': `W/"${line.lineNumber}"`,
    id: line.id,
    journalId: line.journalId,
    lineNumber: line.lineNumber,
    accountType: line.accountType,
    accountNumber: line.accountNumber,
    postingDate: line.postingDate,
    documentNumber: line.documentNumber,
    externalDocumentNumber: line.externalDocumentNumber,
    amount: line.amount,
    description: line.description,
  };
}

function odataError(code: string, message: string) {
  return { error: { code, message: `${message}  CorrelationId:  ${randomUUID()}.` } };
}

function send(res: ServerResponse, answer: Answer): void {
  if (answer.status === 204) {
    res.writeHead(204, answer.headers ?? {});
    res.end();
    return;
  }
  sendJson(res, answer.status, answer.body ?? {}, answer.headers);
}
