import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { type EmulatorStats, emptyStats } from '../../../emulators/emulator-stats.js';
import type { FaultState } from '../../../emulators/faults.js';
import { dropConnection, sendJson, sendTruncatedJson, tryParseJson } from '../../../emulators/http-io.js';
import { decimalText, isIsoDate, isObject } from '../../../emulators/json-shape.js';
import { DOCUMENT_NUMBER_MAX, EXTERNAL_DOCUMENT_NUMBER_MAX } from '../external-document-number.js';
import {
  type DynamicsAccount,
  type DynamicsCompany,
  type DynamicsCompanySeed,
  type DynamicsGlEntry,
  type DynamicsJournal,
  DynamicsLedger,
  type DynamicsLedgerLine,
  PostingRefused,
} from './dynamics-ledger.js';

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
  /** The companies the tenant holds, with their charts of accounts and journals. */
  companies: readonly DynamicsCompanySeed[];
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
const COMMENT_MAX = 250;
const JOURNAL_CODE_MAX = 10;
/** Account types whose lines `GET journalLines` shows (MS Learn "Get journalLines" note). */
const LISTED_ACCOUNT_TYPES = new Set(['G/L Account', 'Bank Account']);
const ACCOUNT_TYPES = new Set([
  'G/L Account',
  'Customer',
  'Vendor',
  'Bank Account',
  'Fixed Asset',
  'IC Partner',
  'Employee',
]);

/**
 * The subset of Entra ID and Business Central API v2.0 the adapter uses, behaving as the real
 * system does (see `/work/shared/spec/accounting-systems.md`): companies, journals (list, create),
 * journal lines (create, list, delete with If-Match), `Microsoft.NAV.post` (posts every line of the
 * batch, refuses an empty or unbalanced journal and dates outside the allowed range, then deletes
 * the lines), `generalLedgerEntries`, `accounts`, `accountingPeriods`, `companyInformation`, and
 * JSON `$batch` of at most 100 operations (`Isolation: snapshot` = all or nothing). External
 * document numbers are not unique: a repeat is accepted.
 */
export class DynamicsEmulator {
  readonly ledger: DynamicsLedger;
  stats: EmulatorStats = emptyStats();
  private readonly tokens = new Map<string, number>();

  constructor(
    private readonly settings: DynamicsEmulatorSettings,
    readonly faults: FaultState,
  ) {
    this.ledger = new DynamicsLedger(settings.companies);
  }

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
    const isWrite = method === 'POST' || method === 'DELETE' || method === 'PATCH';
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
        ? this.batch(body, apiBase, headerText(req.headers.isolation))
        : this.operation(
            method,
            path,
            search,
            body === '' ? undefined : tryParseJson(body),
            apiBase,
            headerText(req.headers['if-match']),
          );

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

  private batch(text: string, apiBase: string, isolation: string | undefined): Answer {
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
    // `Isolation: snapshot` makes the batch one transaction (MS Learn "Using OData batch").
    const snapshot = isolation?.toLowerCase() === 'snapshot' ? this.ledger.snapshot() : undefined;
    const responses = [];
    for (const [index, op] of request.requests.entries()) {
      const operation = isObject(op) ? op : {};
      const id = typeof operation.id === 'string' ? operation.id : String(index + 1);
      const method = typeof operation.method === 'string' ? operation.method.toUpperCase() : 'GET';
      const url = typeof operation.url === 'string' ? operation.url : '';
      const opHeaders = isObject(operation.headers) ? operation.headers : {};
      const ifMatch = Object.entries(opHeaders).find(([k]) => k.toLowerCase() === 'if-match')?.[1];
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
        typeof ifMatch === 'string' ? ifMatch : undefined,
      );
      if (snapshot && answer.status >= 400) {
        this.ledger.restore(snapshot);
        return {
          status: answer.status,
          body: answer.body,
          ...(answer.headers ? { headers: answer.headers } : {}),
        };
      }
      responses.push({
        id,
        status: answer.status,
        headers: { 'content-type': 'application/json; odata.metadata=minimal', ...answer.headers },
        ...(answer.body !== undefined ? { body: answer.body } : {}),
      });
    }
    return { status: 200, body: { responses } };
  }

  private operation(
    method: string,
    path: string,
    search: URLSearchParams,
    body: unknown,
    apiBase: string,
    ifMatch: string | undefined,
  ): Answer {
    const segments = parsePath(path);
    if (segments === null || segments[0]?.name !== 'companies') return notFound(path);
    const [, second, third, fourth] = segments;
    if (segments.length === 1) {
      if (segments[0].key === undefined) {
        return method === 'GET'
          ? collection(this.ledger.listCompanies().map(companyView))
          : methodNotAllowed(method, path);
      }
    }
    const companyKey = segments[0].key;
    if (companyKey === undefined) return notFound(path);
    const company = this.ledger.company(companyKey);
    if (!company) return notFound(path);
    if (second === undefined)
      return method === 'GET' ? { status: 200, body: companyView(company) } : methodNotAllowed(method, path);
    if (segments.length > 4) return notFound(path);

    switch (second.name) {
      case 'companyInformation':
        if (segments.length > 2 || method !== 'GET') return methodNotAllowed(method, path);
        return collection([
          { id: company.id, displayName: company.displayName, currencyCode: company.currencyCode },
        ]);
      case 'accounts':
        if (segments.length > 2 || method !== 'GET') return methodNotAllowed(method, path);
        return this.listAccounts(company, search);
      case 'accountingPeriods':
        // Read-only in API v2.0 (BCApps `APIV2AccountingPeriods.Page.al`: Insert/Modify/DeleteAllowed = false).
        if (segments.length > 2 || method !== 'GET') return methodNotAllowed(method, path);
        return collection(this.periodsOf(company));
      case 'generalLedgerEntries':
        // Editable = false (BCApps `APIV2GLEntries.Page.al`).
        if (segments.length > 2 || method !== 'GET') return methodNotAllowed(method, path);
        return this.listEntries(company, path, search, apiBase);
      case 'journals':
        break;
      default:
        return notFound(path);
    }

    if (second.key === undefined) {
      if (segments.length > 2) return notFound(path);
      if (method === 'GET') return this.listJournals(company, search);
      if (method === 'POST') return this.createJournal(company, body);
      return methodNotAllowed(method, path);
    }
    const journal = company.journals.get(second.key.toLowerCase());
    if (!journal) return notFound(path);
    if (third === undefined) {
      return method === 'GET' ? { status: 200, body: journalView(journal) } : methodNotAllowed(method, path);
    }
    if (third.name === 'Microsoft.NAV.post' && third.key === undefined && fourth === undefined) {
      return method === 'POST' ? this.post(company, journal) : methodNotAllowed(method, path);
    }
    if (third.name !== 'journalLines') return notFound(path);
    if (third.key === undefined) {
      if (fourth !== undefined) return notFound(path);
      if (method === 'POST') return this.createLine(company, journal, body);
      if (method === 'GET') return this.listLines(company, journal, path, search, apiBase);
      return methodNotAllowed(method, path);
    }
    const line = company.lines.get(third.key.toLowerCase());
    if (
      !line ||
      line.journalId !== journal.id ||
      !LISTED_ACCOUNT_TYPES.has(line.accountType) ||
      line.documentType !== ''
    )
      return notFound(path);
    if (fourth !== undefined) return notFound(path);
    if (method === 'GET') return { status: 200, body: lineView(line) };
    if (method === 'DELETE') {
      // OData concurrency: a DELETE names the version it saw (MS Learn "Tips for working with the APIs").
      if (ifMatch === undefined) {
        return {
          status: 428,
          body: odataError(
            'BadRequest_MissingIfMatch',
            'An If-Match header is required to delete this entity.',
          ),
        };
      }
      if (ifMatch !== '*' && ifMatch !== etagOf(line)) {
        return {
          status: 412,
          body: odataError('Request_EntityChanged', 'Another user has already changed the record.'),
        };
      }
      company.lines.delete(line.id);
      return { status: 204 };
    }
    return methodNotAllowed(method, path);
  }

  private post(company: DynamicsCompany, journal: DynamicsJournal): Answer {
    const setup = this.faults.postingSetup;
    try {
      const entries = this.ledger.post(company, journal, { from: setup.from, to: setup.to });
      this.stats.itemsPosted += entries.length;
      return { status: 204 };
    } catch (error) {
      if (error instanceof PostingRefused)
        return { status: 400, body: odataError(error.code, error.message) };
      throw error;
    }
  }

  private createJournal(company: DynamicsCompany, body: unknown): Answer {
    if (!isObject(body)) {
      return {
        status: 400,
        body: odataError('BadRequest_InvalidRequestBody', 'The request body is not a journal.'),
      };
    }
    const code = (typeof body.code === 'string' ? body.code : '').trim().toUpperCase();
    if (code === '') {
      return {
        status: 400,
        body: odataError(
          'Application_FieldValidationException',
          'Name must have a value in Gen. Journal Batch.',
        ),
      };
    }
    if (code.length > JOURNAL_CODE_MAX) return { status: 400, body: tooLong('code', code, JOURNAL_CODE_MAX) };
    const duplicate = [...company.journals.values()].find((j) => j.code === code);
    if (duplicate) {
      // The batch's primary key is (template, name): this is what Internal_EntityWithSameKeyExists means.
      return {
        status: 409,
        body: odataError(
          'Internal_EntityWithSameKeyExists',
          `The record in table Gen. Journal Batch already exists. Identification fields and values: Journal Template Name='GENERAL',Name='${code}'`,
        ),
      };
    }
    const displayName =
      typeof body.displayName === 'string' ? body.displayName.slice(0, DESCRIPTION_MAX) : '';
    const journal: DynamicsJournal = {
      id: randomUUID(),
      code,
      displayName,
      templateDisplayName: 'GENERAL',
      lastLineNumber: 0,
    };
    company.journals.set(journal.id, journal);
    return { status: 201, body: journalView(journal) };
  }

  private listJournals(company: DynamicsCompany, search: URLSearchParams): Answer {
    const filter = search.get('$filter');
    const codes = filter === null ? undefined : parseKeyFilter(filter, 'code');
    if (codes === null) return unsupportedFilter('journals', 'code');
    const wanted = codes ? new Set(codes.map((c) => c.toUpperCase())) : undefined;
    return collection(
      [...company.journals.values()].filter((j) => !wanted || wanted.has(j.code)).map(journalView),
    );
  }

  private listAccounts(company: DynamicsCompany, search: URLSearchParams): Answer {
    const filter = search.get('$filter');
    const numbers = filter === null ? undefined : parseKeyFilter(filter, 'number');
    if (numbers === null) return unsupportedFilter('accounts', 'number');
    const accounts = numbers
      ? [...new Set(numbers.map((n) => n.toUpperCase()))].flatMap((n) => company.accounts.get(n) ?? [])
      : [...company.accounts.values()];
    return collection(accounts.map(accountView));
  }

  private periodsOf(company: DynamicsCompany) {
    const closedBefore = this.faults.postingSetup.closedBefore;
    return company.periods.map((p) => ({
      ...p,
      closed: closedBefore !== undefined && p.startingDate < closedBefore,
      dateLocked: closedBefore !== undefined && p.startingDate < closedBefore,
    }));
  }

  private listEntries(
    company: DynamicsCompany,
    path: string,
    search: URLSearchParams,
    apiBase: string,
  ): Answer {
    const filter = search.get('$filter');
    const numbers = filter === null ? undefined : parseKeyFilter(filter, 'documentNumber');
    if (numbers === null) return unsupportedFilter('generalLedgerEntries', 'documentNumber');
    const entries = numbers
      ? [...new Set(numbers.map((n) => n.toUpperCase()))]
          .flatMap((n) => company.entriesByDocument.get(n) ?? [])
          .sort((a, b) => a.entryNumber - b.entryNumber)
      : company.entries;
    return this.page(entries.map(entryView), path, search, apiBase);
  }

  private createLine(company: DynamicsCompany, journal: DynamicsJournal, body: unknown): Answer {
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
    const byId = accountById(company, line, body);
    if (typeof byId === 'string') {
      this.stats.itemsRejected += 1;
      return { status: 400, body: odataError('Application_FieldValidationException', byId) };
    }
    if (byId && line.accountNumber === '') line.accountNumber = byId.number;
    const unknown =
      this.unknownAccount(company, line.accountType, line.accountNumber, 'accountNumber') ??
      this.unknownAccount(
        company,
        line.balanceAccountType,
        line.balancingAccountNumber,
        'balancingAccountNumber',
      );
    if (unknown) {
      this.stats.itemsRejected += 1;
      return { status: 400, body: odataError('Application_FieldValidationException', unknown) };
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
    // A caller may choose the line number (the page's InitializeLine takes it); it is the key.
    const requested =
      typeof body.lineNumber === 'number' && Number.isInteger(body.lineNumber) && body.lineNumber > 0
        ? body.lineNumber
        : undefined;
    if (requested !== undefined && this.ledger.hasLineNumber(company, journal.id, requested)) {
      return {
        status: 409,
        body: odataError(
          'Internal_EntityWithSameKeyExists',
          `The record in table Gen. Journal Line already exists. Identification fields and values: Journal Template Name='${journal.templateDisplayName}',Journal Batch Name='${journal.code}',Line No.='${requested}'`,
        ),
      };
    }
    const stored = this.ledger.addLine(company, journal, line, requested);
    return { status: 201, body: lineView(stored) };
  }

  /**
   * Why Business Central refuses this account number, if it does. The journal line page validates
   * G/L and bank account numbers (BCApps `APIV2JournalLines.Page.al`, `UpdateAccountIdForGLAccount`:
   * 'The "accountNumber" does not match to an Account.'); the switch turns that off (assumption I).
   */
  private unknownAccount(
    company: DynamicsCompany,
    type: string,
    number: string,
    field: string,
  ): string | undefined {
    if (number === '' || this.faults.postingSetup.acceptUnknownAccounts) return undefined;
    if (type !== 'G/L Account' && type !== 'Bank Account') return undefined;
    if (company.accounts.has(number)) return undefined;
    return `The "${field}" does not match to an Account.`;
  }

  private listLines(
    company: DynamicsCompany,
    journal: DynamicsJournal,
    path: string,
    search: URLSearchParams,
    apiBase: string,
  ): Answer {
    const filter = search.get('$filter');
    const keys = filter === null ? undefined : parseKeyFilter(filter, 'externalDocumentNumber');
    if (keys === null) return unsupportedFilter('journalLines', 'externalDocumentNumber');
    const wanted = keys ? new Set(keys.map((k) => k.toUpperCase())) : undefined;
    // Only lines with no document type and a G/L or bank account are listed (MS Learn "Get journalLines").
    const lines = this.ledger
      .journalLines(company, journal.id)
      .filter((l) => LISTED_ACCOUNT_TYPES.has(l.accountType) && l.documentType === '')
      .filter((l) => !wanted || wanted.has(l.externalDocumentNumber));
    return this.page(lines.map(lineView), path, search, apiBase);
  }

  private page(items: readonly unknown[], path: string, search: URLSearchParams, apiBase: string): Answer {
    const skip = Math.max(0, Number(search.get('$skip') ?? 0) || 0);
    const top = Math.min(
      this.settings.maxPageSize,
      Math.max(1, Number(search.get('$top') ?? this.settings.maxPageSize) || 1),
    );
    const body: Record<string, unknown> = { value: items.slice(skip, skip + top) };
    if (skip + top < items.length) {
      const next = new URLSearchParams(search);
      next.set('$skip', String(skip + top));
      body['@odata.nextLink'] = `${apiBase}${path}?${next.toString()}`;
    }
    return { status: 200, body };
  }
}

const BLANK_GUID = '00000000-0000-0000-0000-000000000000';

/**
 * A G/L `accountId` must name an account, and agree with `accountNumber` when both are given
 * (BCApps `APIV2JournalLines.Page.al`: 'The "accountId" does not match to an Account.',
 * 'The account values do not match to a specific Account.'). Returns the refusal, or the account.
 */
function accountById(
  company: DynamicsCompany,
  line: { accountType: string; accountNumber: string },
  body: Record<string, unknown>,
): string | DynamicsAccount | undefined {
  const id = typeof body.accountId === 'string' ? body.accountId.toLowerCase() : BLANK_GUID;
  if (id === BLANK_GUID || line.accountType !== 'G/L Account') return undefined;
  const account = [...company.accounts.values()].find((a) => a.id === id);
  if (!account) return 'The "accountId" does not match to an Account.';
  if (line.accountNumber !== '' && line.accountNumber !== account.number)
    return 'The account values do not match to a specific Account.';
  return account;
}

type LineInput = Omit<
  DynamicsLedgerLine,
  'id' | 'companyId' | 'journalId' | 'lineNumber' | 'version' | 'lastModifiedDateTime'
>;

/** Validate a journal line the way Business Central's fields would: Code fields upper-cased, lengths bounded. */
function readLine(body: Record<string, unknown>): LineInput | { code: string; message: string } {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const accountType = text(body.accountType) || 'G/L Account';
  if (!ACCOUNT_TYPES.has(accountType))
    return {
      code: 'BadRequest_InvalidRequestBody',
      message: `'${accountType.slice(0, 40)}' is not a valid accountType.`,
    };
  const balanceAccountType = text(body.balanceAccountType) || 'G/L Account';
  if (!ACCOUNT_TYPES.has(balanceAccountType))
    return {
      code: 'BadRequest_InvalidRequestBody',
      message: `'${balanceAccountType.slice(0, 40)}' is not a valid balanceAccountType.`,
    };
  const accountNumber = text(body.accountNumber).toUpperCase();
  if (accountNumber.length > ACCOUNT_NUMBER_MAX)
    return tooLongField('accountNumber', accountNumber, ACCOUNT_NUMBER_MAX);
  const balancingAccountNumber = text(body.balancingAccountNumber).toUpperCase();
  if (balancingAccountNumber.length > ACCOUNT_NUMBER_MAX)
    return tooLongField('balancingAccountNumber', balancingAccountNumber, ACCOUNT_NUMBER_MAX);
  const postingDate =
    body.postingDate === undefined ? new Date().toISOString().slice(0, 10) : body.postingDate;
  if (!isIsoDate(postingDate)) {
    return { code: 'BadRequest_InvalidRequestBody', message: 'postingDate must be a date (YYYY-MM-DD).' };
  }
  const externalDocumentNumber = text(body.externalDocumentNumber).toUpperCase();
  if (externalDocumentNumber.length > EXTERNAL_DOCUMENT_NUMBER_MAX) {
    return tooLongField('externalDocumentNumber', externalDocumentNumber, EXTERNAL_DOCUMENT_NUMBER_MAX);
  }
  const documentNumber = text(body.documentNumber).toUpperCase();
  if (documentNumber.length > DOCUMENT_NUMBER_MAX)
    return tooLongField('documentNumber', documentNumber, DOCUMENT_NUMBER_MAX);
  const amount = body.amount === undefined ? '0' : decimalText(body.amount);
  if (amount === undefined)
    return { code: 'BadRequest_InvalidRequestBody', message: 'amount must be a decimal.' };
  const description = text(body.description);
  if (description.length > DESCRIPTION_MAX) return tooLongField('description', description, DESCRIPTION_MAX);
  const comment = text(body.comment);
  if (comment.length > COMMENT_MAX) return tooLongField('comment', comment, COMMENT_MAX);
  // Lines created through the API carry no document type (the page's OnNewRecord); a test can
  // still plant one with `documentType` to model lines typed in by a user.
  const documentType = text(body.documentType).trim();
  return {
    accountType,
    accountNumber,
    postingDate,
    documentType,
    documentNumber,
    externalDocumentNumber,
    amount,
    description,
    comment,
    balanceAccountType,
    balancingAccountNumber,
  };
}

function tooLongField(field: string, value: string, max: number) {
  return {
    code: 'Application_StringExceededLength',
    message: `The length of the string for ${field} is ${value.length}, but it must be less than or equal to ${max} characters. Value: ${value.slice(0, 60)}`,
  };
}

function tooLong(field: string, value: string, max: number) {
  const { code, message } = tooLongField(field, value, max);
  return odataError(code, message);
}

/** One path segment: `name` or `name(key)`. */
interface Segment {
  name: string;
  key?: string;
}

function parsePath(path: string): Segment[] | null {
  const segments: Segment[] = [];
  for (const part of path.split('/')) {
    const m = /^([A-Za-z][\w.]*)(?:\(([^()]*)\))?$/.exec(part);
    if (!m) return null;
    const key = m[2]?.replace(/^'(.*)'$/, '$1');
    segments.push(key === undefined ? { name: m[1] ?? '' } : { name: m[1] ?? '', key });
  }
  return segments;
}

/**
 * The values a `$filter` asks for on one field (`field eq '…' or …`, or `field in (…)`); null when
 * the filter is outside the supported subset.
 */
export function parseKeyFilter(filter: string, field = 'externalDocumentNumber'): string[] | null {
  const literal = "'((?:[^']|'')*)'";
  const unquote = (s: string) => s.replaceAll("''", "'");
  const inForm = new RegExp(`^\\s*${field}\\s+in\\s+\\((.*)\\)\\s*$`, 'i').exec(filter);
  if (inForm) {
    const list = inForm[1] ?? '';
    const items = [...list.matchAll(new RegExp(`\\s*${literal}\\s*(,|$)`, 'g'))];
    const rebuilt = items.map((m) => m[0]).join('');
    if (rebuilt.trim() !== list.trim()) return null;
    return items.map((m) => unquote(m[1] ?? ''));
  }
  const clause = new RegExp(`\\s*${field}\\s+eq\\s+${literal}\\s*(?:or\\b|$)`, 'iy');
  const keys: string[] = [];
  clause.lastIndex = 0;
  while (clause.lastIndex < filter.length) {
    const m = clause.exec(filter);
    if (!m) return null;
    keys.push(unquote(m[1] ?? ''));
  }
  return keys.length > 0 ? keys : null;
}

function etagOf(line: DynamicsLedgerLine): string {
  return `W/"${line.id}:${line.version}"`;
}

function lineView(line: DynamicsLedgerLine) {
  return {
    '@odata.etag': etagOf(line),
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
    comment: line.comment,
    balanceAccountType: line.balanceAccountType,
    balancingAccountNumber: line.balancingAccountNumber,
    lastModifiedDateTime: line.lastModifiedDateTime,
  };
}

function entryView(entry: DynamicsGlEntry) {
  return {
    '@odata.etag': `W/"${entry.id}"`,
    id: entry.id,
    entryNumber: entry.entryNumber,
    postingDate: entry.postingDate,
    documentNumber: entry.documentNumber,
    documentType: entry.documentType === '' ? ' ' : entry.documentType,
    accountId: entry.accountId,
    accountNumber: entry.accountNumber,
    description: entry.description,
    debitAmount: entry.debitAmount,
    creditAmount: entry.creditAmount,
    additionalCurrencyDebitAmount: '0',
    additionalCurrencyCreditAmount: '0',
    lastModifiedDateTime: entry.lastModifiedDateTime,
  };
}

function journalView(journal: DynamicsJournal) {
  return {
    '@odata.etag': `W/"${journal.id}"`,
    id: journal.id,
    code: journal.code,
    displayName: journal.displayName,
    templateDisplayName: journal.templateDisplayName,
    lastModifiedDateTime: new Date(0).toISOString(),
    balancingAccountId: '00000000-0000-0000-0000-000000000000',
    balancingAccountNumber: '',
  };
}

function accountView(account: DynamicsAccount) {
  return {
    id: account.id,
    number: account.number,
    displayName: account.displayName,
    category: '',
    subCategory: '',
    blocked: account.blocked,
    accountType: 'Posting',
    directPosting: true,
  };
}

function companyView(company: DynamicsCompany) {
  return {
    id: company.id,
    systemVersion: '25.0',
    name: company.name,
    displayName: company.displayName,
    businessProfileId: '',
  };
}

function collection(value: unknown[]): Answer {
  return { status: 200, body: { value } };
}

function notFound(path: string): Answer {
  return {
    status: 404,
    body: odataError('BadRequest_NotFound', `The resource ${path.slice(0, 200)} was not found.`),
  };
}

function methodNotAllowed(method: string, path: string): Answer {
  return {
    status: 405,
    body: odataError('BadRequest_MethodNotAllowed', `${method} is not allowed on ${path.slice(0, 200)}.`),
  };
}

function unsupportedFilter(entitySet: string, field: string): Answer {
  return {
    status: 400,
    body: odataError(
      'BadRequest_InvalidFilter',
      `The emulator filters ${entitySet} by ${field} eq '…' (or …) or ${field} in (…) only.`,
    ),
  };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
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
