import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EmulatorStats, emptyStats } from '../../../emulators/emulator-stats.js';
import { type FaultState, spoilAnswer } from '../../../emulators/faults.js';
import { sendJson, tryParseJson } from '../../../emulators/http-io.js';
import { isObject } from '../../../emulators/json-shape.js';
import { DESCRIPTION_MAX, DynamicsJournalLines, tooLong } from './dynamics-journal-lines.js';
import {
  type DynamicsCompany,
  type DynamicsCompanySeed,
  type DynamicsJournal,
  DynamicsLedger,
  findEntries,
} from './dynamics-ledger.js';
import { DynamicsLimits } from './dynamics-limits.js';
import { masterDataAnswer } from './dynamics-master-data-routes.js';
import {
  type Answer,
  collection,
  headerText,
  methodNotAllowed,
  notFound,
  odataError,
  page,
  parseEntryFilter,
  parseKeyFilter,
  parsePath,
  send,
  unsupportedFilter,
} from './dynamics-odata.js';
import { DynamicsPosting } from './dynamics-posting.js';
import { accountView, companyView, entryView, journalView } from './dynamics-views.js';

export { parseKeyFilter } from './dynamics-odata.js';

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

const MAX_BATCH_OPERATIONS = 100;
const JOURNAL_CODE_MAX = 10;

/**
 * The subset of Entra ID and Business Central API v2.0 the adapter uses, behaving as the real
 * system does (see `/work/shared/spec/accounting-systems.md`): companies, journals (list, create),
 * journal lines (create, list, delete with If-Match), `Microsoft.NAV.post` (posts every line of the
 * batch, refuses an empty or unbalanced journal and dates outside the allowed range, then deletes
 * the lines), `generalLedgerEntries`, `accounts`, `accountingPeriods`, `companyInformation`, and
 * JSON `$batch` of at most 100 operations (`Isolation: snapshot` = all or nothing). External
 * document numbers are not unique: a repeat is accepted. This file routes requests; journal lines
 * (`dynamics-journal-lines.ts`), posting with number series and the job queue
 * (`dynamics-posting.ts`), request limits (`dynamics-limits.ts`) and the ledger
 * (`dynamics-ledger.ts`) live in their own files.
 */
export class DynamicsEmulator {
  readonly ledger: DynamicsLedger;
  stats: EmulatorStats = emptyStats();
  /** Access token → when it expires and which app registration (the "user" limits count per) it was issued to. */
  private readonly tokens = new Map<string, { expiresAt: number; clientId: string }>();
  private readonly lines: DynamicsJournalLines;
  private readonly posting: DynamicsPosting;
  private readonly limits: DynamicsLimits;

  constructor(
    private readonly settings: DynamicsEmulatorSettings,
    readonly faults: FaultState,
  ) {
    this.ledger = new DynamicsLedger(settings.companies);
    this.lines = new DynamicsJournalLines(this);
    this.posting = new DynamicsPosting(this);
    this.limits = new DynamicsLimits(faults, () => this.stats, settings.now);
  }

  get maxPageSize(): number {
    return this.settings.maxPageSize;
  }

  reset(): void {
    this.posting.reset();
    this.limits.reset();
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
    this.tokens.set(accessToken, {
      expiresAt: this.settings.now() + ttl * 1000,
      clientId: form.get('client_id') ?? '',
    });
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

    const user = this.authorized(req);
    if (faults.authFailure || user === undefined) {
      await faults.latency();
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
    const refused = this.limits.admit(user);
    if (refused) {
      send(res, refused);
      return;
    }
    try {
      await faults.latency();
      this.answer(req, res, path, search, body, isWrite);
    } finally {
      this.limits.release(user);
    }
  }

  private answer(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    search: URLSearchParams,
    body: string,
    isWrite: boolean,
  ): void {
    const { faults, stats } = this;
    const method = req.method ?? 'GET';
    if (faults.take('serverErrors')) {
      stats.serverErrors += 1;
      send(res, {
        status: faults.serverErrorStatus,
        body: odataError('Internal_ServerError', 'Something went wrong.'),
      });
      return;
    }

    const apiBase = `http://${req.headers.host ?? 'localhost'}/dynamics/api/v2.0/`;
    // A stream (`attachmentContent`) is taken as it comes; everything else is JSON.
    const content = path.endsWith('/attachmentContent') ? body : undefined;
    const answer =
      path === '$batch' && method === 'POST'
        ? this.batch(body, apiBase, headerText(req.headers.isolation))
        : this.operation(
            method,
            path,
            search,
            content ?? (body === '' ? undefined : tryParseJson(body)),
            apiBase,
            headerText(req.headers['if-match']),
          );

    if (spoilAnswer(faults, res, stats, { isWrite, body: answer.body ?? {} })) return;
    send(res, answer);
  }

  /** The app registration a valid bearer token was issued to; undefined when the token is missing or expired. */
  private authorized(req: IncomingMessage): string | undefined {
    const token = /^Bearer\s+(\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined) return undefined;
    const issued = this.tokens.get(token);
    if (issued === undefined) return undefined;
    if (this.settings.now() >= issued.expiresAt) {
      this.tokens.delete(token);
      return undefined;
    }
    return issued.clientId;
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
      const contentType = Object.entries(opHeaders).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
      // OData JSON batch: a binary body travels as a base64url string (OData v4.01 JSON Format).
      const binary =
        typeof contentType === 'string' &&
        !/json|^text\//i.test(contentType) &&
        typeof operation.body === 'string';
      const [rawPath = '', query = ''] = url
        .replace(/^.*\/api\/v2\.0\//, '')
        .replace(/^\//, '')
        .split('?');
      const answer = this.operation(
        method,
        decodeURIComponent(rawPath),
        new URLSearchParams(query),
        binary ? Buffer.from(String(operation.body), 'base64url').toString('utf8') : operation.body,
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
    if (segments.length > 5) return notFound(path);

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
      case 'taxGroups':
      case 'employees':
      case 'dimensions':
        return masterDataAnswer(company, segments, method, path, search);
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
      return method === 'POST' ? this.posting.post(company, journal) : methodNotAllowed(method, path);
    }
    if (third.name !== 'journalLines') return notFound(path);
    if (third.key === undefined) {
      if (fourth !== undefined) return notFound(path);
      if (method === 'POST') return this.lines.createLine(company, journal, body);
      if (method === 'GET') return this.lines.listLines(company, journal, path, search, apiBase);
      return methodNotAllowed(method, path);
    }
    if (fourth?.name === 'attachments') {
      const fifth = segments[4];
      if (fifth !== undefined && (fifth.name !== 'attachmentContent' || fourth.key === undefined))
        return notFound(path);
      if (fifth === undefined && fourth.key !== undefined) return notFound(path);
      return this.lines.attachments(company, journal, third.key, fourth.key, method, path, body);
    }
    if (segments.length > 4) return notFound(path);
    if (fourth?.name === 'dimensionSetLines' && fourth.key === undefined)
      return this.lines.dimensionSetLines(company, journal, third.key, method, path, body);
    if (fourth !== undefined) return notFound(path);
    return this.lines.lineOperation(company, journal, third.key, method, path, ifMatch);
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
    const wanted = filter === null ? undefined : parseEntryFilter(filter);
    if (wanted === null) {
      return {
        status: 400,
        body: odataError(
          'BadRequest_InvalidFilter',
          "The emulator filters generalLedgerEntries by documentNumber eq '…' and startswith(description,'…'), joined by or.",
        ),
      };
    }
    const entries = wanted
      ? findEntries(company, wanted.documentNumbers, wanted.descriptionPrefixes)
      : company.entries;
    return page(entries.map(entryView), this.maxPageSize, { path, search, apiBase });
  }
}
