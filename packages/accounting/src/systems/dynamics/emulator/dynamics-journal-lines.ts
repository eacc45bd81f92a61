import { randomUUID } from 'node:crypto';
import type { EmulatorStats } from '../../../emulators/emulator-stats.js';
import type { FaultState } from '../../../emulators/faults.js';
import { decimalText, isIsoDate, isObject } from '../../../emulators/json-shape.js';
import { DOCUMENT_NUMBER_MAX, EXTERNAL_DOCUMENT_NUMBER_MAX } from '../external-document-number.js';
import type {
  DynamicsAccount,
  DynamicsCompany,
  DynamicsJournal,
  DynamicsLedger,
  DynamicsLedgerLine,
} from './dynamics-ledger.js';
import {
  type Answer,
  methodNotAllowed,
  notFound,
  odataError,
  page,
  parseKeyFilter,
  plainEnum,
  unsupportedFilter,
} from './dynamics-odata.js';
import { dimensionRefusal, employeeRefusal, taxCodeRefusal } from './dynamics-posting-setup.js';
import { etagOf, lineView } from './dynamics-views.js';

export const DESCRIPTION_MAX = 100;
const ACCOUNT_NUMBER_MAX = 20;
const COMMENT_MAX = 250;
/** `taxCode` is Code[20] on the page. */
const TAX_CODE_MAX = 20;
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

/** What the journal lines resource reads from the emulator that owns it. */
export interface JournalLinesOwner {
  readonly ledger: DynamicsLedger;
  readonly faults: FaultState;
  readonly stats: EmulatorStats;
  readonly maxPageSize: number;
}

/** `journals({id})/journalLines`: create (validated as Business Central does), list, read, delete with If-Match. */
export class DynamicsJournalLines {
  constructor(private readonly owner: JournalLinesOwner) {}

  /** GET or DELETE one line (`journalLines({id})`). */
  lineOperation(
    company: DynamicsCompany,
    journal: DynamicsJournal,
    key: string,
    method: string,
    path: string,
    ifMatch: string | undefined,
  ): Answer {
    const line = lineOf(company, journal, key);
    if (!line || !LISTED_ACCOUNT_TYPES.has(line.accountType) || line.documentType !== '')
      return notFound(path);
    if (method === 'GET') return { status: 200, body: lineView(line) };
    if (method !== 'DELETE') return methodNotAllowed(method, path);
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

  createLine(company: DynamicsCompany, journal: DynamicsJournal, body: unknown): Answer {
    if (!isObject(body)) {
      return {
        status: 400,
        body: odataError('BadRequest_InvalidRequestBody', 'The request body is not a journal line.'),
      };
    }
    const line = readLine(body, this.owner.faults.dynamicsBatch.refusePlainEnumValues);
    if ('code' in line) {
      this.owner.stats.itemsRejected += 1;
      return { status: 400, body: odataError(line.code, line.message) };
    }
    const byId = accountById(company, line, body);
    if (typeof byId === 'string') {
      this.owner.stats.itemsRejected += 1;
      return { status: 400, body: odataError('Application_FieldValidationException', byId) };
    }
    if (byId && line.accountNumber === '') line.accountNumber = byId.number;
    const unknown =
      taxCodeRefusal(company.setup, line.taxCode) ??
      this.unknownAccount(company, line.accountType, line.accountNumber, 'accountNumber') ??
      this.unknownAccount(
        company,
        line.balanceAccountType,
        line.balancingAccountNumber,
        'balancingAccountNumber',
      );
    if (unknown) {
      this.owner.stats.itemsRejected += 1;
      return { status: 400, body: odataError('Application_FieldValidationException', unknown) };
    }
    const ruled = this.owner.faults.ruleRejection({
      id: line.externalDocumentNumber,
      account: line.accountNumber,
      amount: line.amount,
    });
    if (ruled) {
      this.owner.stats.itemsRejected += 1;
      return { status: 400, body: odataError('Application_FieldValidationException', ruled) };
    }
    // A caller may choose the line number (the page's InitializeLine takes it); it is the key.
    const requested =
      typeof body.lineNumber === 'number' && Number.isInteger(body.lineNumber) && body.lineNumber > 0
        ? body.lineNumber
        : undefined;
    if (requested !== undefined && this.owner.ledger.hasLineNumber(company, journal.id, requested)) {
      return {
        status: 409,
        body: odataError(
          'Internal_EntityWithSameKeyExists',
          `The record in table Gen. Journal Line already exists. Identification fields and values: Journal Template Name='${journal.templateDisplayName}',Journal Batch Name='${journal.code}',Line No.='${requested}'`,
        ),
      };
    }
    const stored = this.owner.ledger.addLine(company, journal, line, requested);
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
    if (number === '' || this.owner.faults.postingSetup.acceptUnknownAccounts) return undefined;
    if (type === 'Employee') return employeeRefusal(company.setup, number);
    if (type !== 'G/L Account' && type !== 'Bank Account') return undefined;
    if (company.accounts.has(number)) return undefined;
    return `The "${field}" does not match to an Account.`;
  }

  /**
   * `journalLines({id})/dimensionSetLines`: POST adds a dimension value to the line's set, GET
   * lists them (V: BCApps `APIV2DimensionSetLines.Page.al`; its labels are the refusals).
   */
  dimensionSetLines(
    company: DynamicsCompany,
    journal: DynamicsJournal,
    key: string,
    method: string,
    path: string,
    body: unknown,
  ): Answer {
    const line = lineOf(company, journal, key);
    if (!line) return notFound(path);
    const view = (code: string, valueCode: string) => ({
      id: company.setup.dimensions.get(code)?.id ?? '',
      code,
      parentId: line.id,
      parentType: 'Journal_x0020_Line',
      valueCode,
    });
    if (method === 'GET')
      return { status: 200, body: { value: [...line.dimensions].map(([c, v]) => view(c, v)) } };
    if (method !== 'POST') return methodNotAllowed(method, path);
    const fields = isObject(body) ? body : {};
    const code = typeof fields.code === 'string' ? fields.code.toUpperCase() : '';
    const valueCode = typeof fields.valueCode === 'string' ? fields.valueCode.toUpperCase() : '';
    const refusal = dimensionRefusal(company.setup, code, valueCode, line.dimensions);
    if (refusal) {
      this.owner.stats.itemsRejected += 1;
      return { status: 400, body: odataError('Application_DialogException', refusal) };
    }
    line.dimensions.set(code, valueCode);
    line.version += 1;
    return { status: 201, body: view(code, valueCode) };
  }

  /**
   * `journalLines({id})/attachments` (POST: a file name; GET) and
   * `journalLines({id})/attachments({id})/attachmentContent` (PATCH: the content). V: BCApps
   * `APIV2Attachments.Page.al` (a missing or invalid file name becomes 'filename.txt'; parent
   * type Journal through the journal line part's SubPageLink); MS Learn "attachment" resource.
   */
  attachments(
    company: DynamicsCompany,
    journal: DynamicsJournal,
    key: string,
    attachmentKey: string | undefined,
    method: string,
    path: string,
    body: unknown,
  ): Answer {
    const line = lineOf(company, journal, key);
    if (!line) return notFound(path);
    const view = (a: { id: string; fileName: string; content: string }) => ({
      id: a.id,
      parentId: line.id,
      parentType: 'Journal',
      fileName: a.fileName,
      byteSize: Buffer.byteLength(a.content, 'utf8'),
    });
    if (attachmentKey !== undefined) {
      const attachment = line.attachments.find((a) => a.id === attachmentKey.toLowerCase());
      if (!attachment) return notFound(path);
      if (method !== 'PATCH') return methodNotAllowed(method, path);
      attachment.content = typeof body === 'string' ? body : '';
      return { status: 204 };
    }
    if (method === 'GET') return { status: 200, body: { value: line.attachments.map(view) } };
    if (method !== 'POST') return methodNotAllowed(method, path);
    const fields = isObject(body) ? body : {};
    const name = typeof fields.fileName === 'string' ? fields.fileName : '';
    const attachment = {
      id: randomUUID(),
      fileName: /^[^\\/:*?"<>|]+$/.test(name) ? name : 'filename.txt',
      content: '',
    };
    line.attachments.push(attachment);
    return { status: 201, body: view(attachment) };
  }

  listLines(
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
    const lines = this.owner.ledger
      .journalLines(company, journal.id)
      .filter((l) => LISTED_ACCOUNT_TYPES.has(l.accountType) && l.documentType === '')
      .filter((l) => !wanted || wanted.has(l.externalDocumentNumber));
    return page(lines.map(lineView), this.owner.maxPageSize, { path, search, apiBase });
  }
}

/** The line `key` (ids compare case-insensitively) when it is in `journal`: a line is addressed through its journal. */
function lineOf(company: DynamicsCompany, journal: DynamicsJournal, key: string) {
  const line = company.lines.get(key.toLowerCase());
  return line?.journalId === journal.id ? line : undefined;
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
function readLine(
  body: Record<string, unknown>,
  refusePlainEnums: boolean,
): LineInput | { code: string; message: string } {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const accountType = readEnum(body.accountType, 'accountType', refusePlainEnums);
  if (typeof accountType !== 'string') return accountType;
  const balanceAccountType = readEnum(body.balanceAccountType, 'balanceAccountType', refusePlainEnums);
  if (typeof balanceAccountType !== 'string') return balanceAccountType;
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
  const taxCode = text(body.taxCode).toUpperCase();
  if (taxCode.length > TAX_CODE_MAX) return tooLongField('taxCode', taxCode, TAX_CODE_MAX);
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
    taxCode,
    dimensions: new Map(),
    attachments: [],
  };
}

/**
 * An account type sent as OData writes it on the wire (`G_x002F_L_x0020_Account`, V: public
 * clients) or — assumption I, switchable with `refusePlainEnumValues` — in its plain form.
 */
function readEnum(
  value: unknown,
  field: string,
  refusePlain: boolean,
): string | { code: string; message: string } {
  const raw = typeof value === 'string' && value !== '' ? value : 'G_x002F_L_x0020_Account';
  const { plain, encoded } = plainEnum(raw);
  const needsEncoding = /[^A-Za-z0-9]/.test(plain);
  if (!ACCOUNT_TYPES.has(plain) || (refusePlain && needsEncoding && !encoded))
    return {
      code: 'BadRequest_InvalidRequestBody',
      message: `'${raw.slice(0, 40)}' is not a valid ${field}.`,
    };
  return plain;
}

function tooLongField(field: string, value: string, max: number) {
  return {
    code: 'Application_StringExceededLength',
    message: `The length of the string for ${field} is ${value.length}, but it must be less than or equal to ${max} characters. Value: ${value.slice(0, 60)}`,
  };
}

export function tooLong(field: string, value: string, max: number) {
  const { code, message } = tooLongField(field, value, max);
  return odataError(code, message);
}
