import { type AccountingSystem, type RejectionCategory, UNVERIFIED_POSTING } from '@meander/domain';

/** What the catalogue says about one family of ledger errors. */
export interface CatalogueEntry {
  /** Stable catalogue code (what per-record failures and error details carry as `catalogCode`). */
  code: string;
  category: RejectionCategory;
  /** What went wrong, for a person who never saw the vendor's message. */
  message: string;
  /** What to change, and where. */
  fix: string;
  /** Whether sending the same record again, unchanged, can succeed. */
  retryable: boolean;
  /** Systems the entry applies to (all when absent). */
  systems?: readonly AccountingSystem[];
  /** Vendor or adapter codes: exact strings, or patterns for code families (`BadRequest_*`). */
  codes?: readonly (string | RegExp)[];
  /** Stable parts of the vendor's message; a message match wins over a code-only match. */
  messages?: readonly RegExp[];
}

const BC = ['dynamics'] as const;
const XL = ['xledger'] as const;

/**
 * The catalogue, most specific first: entries that match on the message (a generic code such as
 * `Application_FieldValidationException` or `INVALID_VALUE` carries many causes) come before the
 * code families. Sources for every pattern are in `fixtures.ts`.
 */
export const REJECTION_CATALOGUE: readonly CatalogueEntry[] = [
  // --- outcomes the adapter decided (their reasons quote the vendor's message) --------------------
  {
    code: 'STAGED_WITH_ERRORS',
    category: 'configuration',
    message:
      "The record's GL import items from an earlier attempt are still staged in Xledger with a processing error. Meander does not import it again while they exist, so it cannot be booked twice.",
    fix: "In Xledger's GL import screen, correct the staged items and process them again, or delete them. Then re-sync: processed items are found and marked synced; after a delete the record is imported once.",
    retryable: false,
    systems: XL,
    codes: ['XLEDGER_STAGED_WITH_ERRORS'],
    // The adapter's reason quotes Xledger's current error ("… is closed for posting"): matched
    // before the vendor-message entries, so the stale cause is not reported as if it were new.
    messages: [/still staged in Xledger from an earlier attempt/i],
  },
  {
    code: 'XLEDGER_VAT_CATEGORY_UNMAPPED',
    category: 'configuration',
    message:
      "A line has VAT in a category the organization's Xledger settings map to no tax rule, so Meander cannot book it and sent nothing.",
    fix: 'Map the category to an Xledger tax rule in the connection setting vatCodes (e.g. "HIGH=1,MEDIUM=11,LOW=13,ZERO=0,EXEMPT=0"), then re-sync.',
    retryable: false,
    systems: XL,
    codes: ['XLEDGER_VAT_CATEGORY_UNMAPPED'],
  },
  {
    code: 'XLEDGER_DIMENSION_UNMAPPED',
    category: 'configuration',
    message:
      "A line carries a dimension (department, project, cost centre) the organization's Xledger settings map to no GL import item field, so Meander sent nothing.",
    fix: 'Map the dimension to a GL import item field in the connection setting dimensions (glObject1 … glObject5 or project, e.g. "department=glObject1,project=project"), then re-sync.',
    retryable: false,
    systems: XL,
    codes: ['XLEDGER_DIMENSION_UNMAPPED'],
  },
  // --- period -----------------------------------------------------------------------------------
  {
    code: 'PERIOD_LOCKED',
    category: 'period_locked',
    message: 'The posting date falls in a period the ledger has closed or does not allow posting to.',
    fix: 'Open the period in the ledger (Business Central: General Ledger Setup / User Setup "Allow Posting From/To"; Xledger: the period\'s status), or move the expense to an open period, then re-sync.',
    retryable: false,
    codes: ['PREFLIGHT_PERIOD_LOCKED'],
    messages: [/is not within your range of allowed posting dates/i, /period .*(is )?(closed|locked)/i],
  },
  // --- the posting model: VAT, dimensions, employees (before master data: BC's table-relation
  // message names "Bal. Account No.", which the account entries would take for a G/L account) ---
  {
    code: 'VAT_CATEGORY_UNMAPPED',
    category: 'configuration',
    message:
      "A line's VAT category has no VAT code of the ledger in the organization's posting settings, and the line carries VAT.",
    fix: 'Add the category to the connection setting vatCodes (Business Central: a VAT Prod. Posting Group, e.g. "HIGH=S25,MEDIUM=S15,LOW=S12,ZERO=S0,EXEMPT=E0"), then re-sync.',
    retryable: false,
    codes: ['PREFLIGHT_VAT_CATEGORY_UNMAPPED'],
  },
  {
    code: 'DIMENSION_UNMAPPED',
    category: 'configuration',
    message:
      "A line carries a dimension (department, project, cost centre) the organization's posting settings do not map to a ledger dimension.",
    fix: 'Add the key to the connection setting dimensions (e.g. "department=DEPARTMENT,project=PROJECT"), then re-sync.',
    retryable: false,
    codes: ['PREFLIGHT_DIMENSION_UNMAPPED'],
  },
  {
    code: 'RECEIPT_URL_INVALID',
    category: 'validation',
    message: "The expense's receipt link is not a web address (http or https), so it cannot be attached.",
    fix: 'Correct or remove the receipt link of the expense in Meander, then re-sync.',
    retryable: false,
    codes: ['PREFLIGHT_RECEIPT_URL_INVALID'],
  },
  {
    code: 'VAT_CODE_UNKNOWN',
    category: 'master_data',
    message: 'The VAT code the VAT category maps to does not exist in the ledger.',
    fix: 'Create the VAT Prod. Posting Group (and its VAT Posting Setup) in Business Central, or correct the connection setting vatCodes, then re-sync.',
    retryable: false,
    systems: BC,
    codes: ['PREFLIGHT_UNKNOWN_VAT_CODE'],
    messages: [
      /related table \(VAT Product Posting Group\)/i,
      /The VAT Product Posting Group does not exist/i,
      /The VAT Posting Setup does not exist/i,
    ],
  },
  {
    code: 'DIMENSION_VALUE_UNKNOWN',
    category: 'master_data',
    message: "The line's dimension or dimension value does not exist in the ledger (or is blocked).",
    fix: 'Create the dimension value in Business Central (Dimensions → Dimension Values), or correct the value in Meander or the connection setting dimensions, then re-sync.',
    retryable: false,
    systems: BC,
    codes: ['PREFLIGHT_UNKNOWN_DIMENSION_VALUE'],
    messages: [
      /The "valueCode" does not match to a Dimension Value/i,
      /The "code" does not match to a Dimension/i,
      /The Dimension( Value)? does not exist/i,
    ],
  },
  {
    code: 'DIMENSION_ALREADY_SET',
    category: 'validation',
    message:
      'The journal line already has a value for this dimension (a default dimension of the account, or an earlier request).',
    fix: "Remove the account's default dimension for this dimension in Business Central, or the line's duplicate dimension in Meander, then re-sync.",
    retryable: false,
    systems: BC,
    messages: [/The dimension set line already exists/i],
  },
  {
    code: 'EMPLOYEE_UNKNOWN',
    category: 'master_data',
    message: "The employee the company owes is not in the ledger's employee list.",
    fix: "Create the employee in Business Central (with an Employee Posting Group), or correct the employee's number in Meander, then re-sync. To book to one payables account instead, set employeeCredit=balancing_account.",
    retryable: false,
    systems: BC,
    codes: ['PREFLIGHT_UNKNOWN_EMPLOYEE'],
    messages: [/related table \(Employee\)/i, /The Employee does not exist/i],
  },
  // --- master data ------------------------------------------------------------------------------
  {
    code: 'XLEDGER_TAX_RULE_UNKNOWN',
    category: 'master_data',
    message: "A line's VAT category maps to a tax rule the Xledger entity does not have.",
    fix: "Correct the VAT category's tax rule in the connection setting vatCodes (Meander's accounting settings), or create the tax rule in Xledger; `meander-sync doctor` lists the missing ones. Then re-sync.",
    retryable: false,
    systems: XL,
    messages: [/Tax rule '.*' does not exist/i],
  },
  {
    code: 'XLEDGER_DIMENSION_VALUE_UNKNOWN',
    category: 'master_data',
    message: 'A line names a department, project or other dimension value the Xledger entity does not have.',
    fix: "Create the value in Xledger (the GL object's values, or the project), or correct the line's dimension in Meander, then re-sync.",
    retryable: false,
    systems: XL,
    messages: [
      /Project '.*' does not exist/i,
      /Value '.*' does not exist for glObject[1-5]/i,
      /^(Project \S+|glObject[1-5] value \S+) does not exist in Xledger/i,
    ],
  },
  {
    code: 'XLEDGER_EMPLOYEE_UNKNOWN',
    category: 'master_data',
    message:
      "The record's employee is not an employee (sub-ledger) of the Xledger entity, so the credit line cannot name them.",
    fix: "Create the employee in Xledger with the employee number Meander has, or correct the employee's number in Meander, then re-sync. To credit one account instead, set the connection setting employeeCredit to balancing_account.",
    retryable: false,
    systems: XL,
    messages: [/Subledger '.*' does not exist/i, /^Employee \S+ does not exist in Xledger/i],
  },
  {
    code: 'ACCOUNT_UNKNOWN',
    category: 'master_data',
    message: "The expense is booked to an account that does not exist in the ledger's chart of accounts.",
    fix: "Create the account in the ledger, or change the expense category's account mapping in Meander to an existing account, then re-sync.",
    retryable: false,
    codes: ['PREFLIGHT_UNKNOWN_ACCOUNT'],
    messages: [
      /G\/L Account .*does not exist/i,
      /The field Account No\. .*cannot be found/i,
      /account .*(does not exist|not found|is unknown)/i,
    ],
  },
  {
    code: 'ACCOUNT_BLOCKED',
    category: 'master_data',
    message: 'The account exists but is closed or blocked for posting.',
    fix: "Unblock the account in the ledger (Business Central: the G/L account card's Blocked / Direct Posting fields), or map the expense category to an account open for posting.",
    retryable: false,
    messages: [
      /account .*(is )?(closed|blocked) for posting/i,
      /Blocked must be equal to 'No'/i,
      /Direct Posting must be equal to 'Yes'/i,
    ],
  },
  {
    code: 'ACCOUNT_MISSING',
    category: 'mapping',
    message: 'The expense has no ledger account: its category is not mapped.',
    fix: "Map the expense category to a ledger account in Meander's accounting settings, then re-sync.",
    retryable: false,
    messages: [/Account No\. must have a value/i, /account (is required|must be set|missing)/i],
  },
  // --- mapping ----------------------------------------------------------------------------------
  {
    code: 'FOREIGN_CURRENCY',
    category: 'mapping',
    message:
      "The expense is in a currency other than the company's local currency and no rule says how to book it.",
    fix: "Add a currency mapping for this currency in Meander's accounting settings (or book it converted), then re-sync.",
    retryable: false,
    codes: ['PREFLIGHT_FOREIGN_CURRENCY'],
    messages: [/currency .*(not (allowed|supported)|is not the local currency)/i],
  },
  {
    code: 'DOCUMENT_OUT_OF_BALANCE',
    category: 'configuration',
    message: 'The document does not balance: the ledger has no contra (balancing) account for it.',
    fix: "Set the balancing account in the organization's accounting configuration (or on the Business Central journal batch), then re-sync.",
    retryable: false,
    systems: BC,
    messages: [/is out of balance by/i],
  },
  // --- duplicates -------------------------------------------------------------------------------
  {
    code: 'ALREADY_POSTED',
    category: 'duplicate',
    message: 'The ledger already holds this posting; it was not posted a second time.',
    fix: 'Nothing to fix: the record is already in the ledger. If it should be posted again, reverse the first posting in the ledger first.',
    retryable: false,
    codes: [
      'Internal_EntityWithSameKeyExists',
      'DUPLICATE_EXT_IDENTIFIER',
      'EXTERNAL_DOCUMENT_NUMBER_COLLISION',
      'DUPLICATE_RECORD_ID',
    ],
    messages: [/already exists/i],
  },
  {
    code: 'NOTHING_TO_POST',
    category: 'duplicate',
    message: 'The journal was empty when it was posted: its lines were already posted or removed.',
    fix: "Check the G/L entries for Meander's document numbers; a re-sync reads back what is there and posts only what is missing.",
    retryable: true,
    systems: BC,
    messages: [/There is nothing to post/i],
  },
  // --- record validation ------------------------------------------------------------------------
  {
    code: 'TEXT_TOO_LONG',
    category: 'validation',
    message: 'A text field (description or document number) is longer than the ledger allows.',
    fix: "Shorten the expense's description in Meander, then re-sync.",
    retryable: false,
    codes: ['Application_StringExceededLength'],
    messages: [/The length of the string for .* but it must be less than or equal to/i],
  },
  {
    code: 'AMOUNT_INVALID',
    category: 'validation',
    message: 'The amount is zero or not a valid amount for the ledger.',
    fix: "Correct the expense's amount in Meander (the ledger refuses zero-amount lines), then re-sync.",
    retryable: false,
    messages: [/amount must not be zero/i, /amount must be a decimal/i, /Amount must have a value/i],
  },
  {
    code: 'RECORD_REFUSED_BY_RULE',
    category: 'validation',
    message: "The ledger's own rules refused this record.",
    fix: "Read the ledger's reason next to the record, correct the expense or the ledger rule, then re-sync.",
    retryable: false,
    messages: [/is refused by the ledger's rules/i],
  },
  {
    code: 'RECORD_INVALID',
    category: 'validation',
    message: 'The record was not valid for posting (a field the ledger requires is missing or malformed).',
    fix: 'Correct the field the ledger names in the expense, then re-sync.',
    retryable: false,
    codes: [
      'INVALID_RECORD',
      'Application_FieldValidationException',
      'INVALID_VALUE',
      /^BadRequest_(InvalidRequestBody|BadRequest)$/,
    ],
  },
  // --- auth -------------------------------------------------------------------------------------
  {
    code: 'CREDENTIALS_REJECTED',
    category: 'auth',
    message: "The ledger refused Meander's credentials.",
    fix: "Renew the API token (Xledger) or the app registration's client secret and its Business Central permissions (Entra ID), then save it in Meander's accounting settings.",
    retryable: false,
    codes: [
      /^Authentication_/,
      /^Authorization_/,
      'AUTH_FAILED',
      'UNAUTHENTICATED',
      'FORBIDDEN',
      'BAD_API_TOKEN',
      'invalid_client',
      'unauthorized_client',
      'HTTP_401',
      'HTTP_403',
    ],
    messages: [/bad format for api token/i],
  },
  // --- configuration ----------------------------------------------------------------------------
  {
    code: 'INSUFFICIENT_CREDITS',
    category: 'configuration',
    message: 'The Xledger API credits of this company are used up.',
    fix: 'Wait for the credits to reset (Xledger says when) or raise the API credit quota with Xledger, then re-sync.',
    retryable: false,
    systems: XL,
    codes: [/INSUFFICIENT_CREDITS$/],
  },
  {
    code: 'CONNECTION_MISCONFIGURED',
    category: 'configuration',
    message:
      'The connection settings point at something the ledger does not have (company, journal, environment or URL).',
    fix: "Check the connection settings in Meander's accounting settings (company id, journal, environment, base URL); `meander-sync doctor` tests them.",
    retryable: false,
    codes: [
      'INVALID_CONNECTION',
      'UNKNOWN_SYSTEM',
      'NOT_FOUND',
      'HTTP_404',
      /^BadRequest_(NotFound|ResourceNotFound)$/,
      'NOT_IMPLEMENTED',
      'BadRequest_MethodNotAllowed',
    ],
    messages: [/No resource was found at/i],
  },
  {
    code: 'REQUEST_TOO_LARGE',
    category: 'configuration',
    message: 'A request was larger than the ledger accepts.',
    fix: 'Lower SYNC_BATCH_SIZE for the worker, then re-sync.',
    retryable: false,
    codes: ['PAYLOAD_TOO_LARGE'],
  },
  {
    code: 'API_CONTRACT_MISMATCH',
    category: 'configuration',
    message:
      "The ledger refused the shape of Meander's request (its API changed or differs for this tenant).",
    fix: 'Report it to Meander support with the sync id; no change on your side will fix it.',
    retryable: false,
    codes: [
      'GRAPHQL_VALIDATION_FAILED',
      'GRAPHQL_PARSE_FAILED',
      'QUERY_REJECTED',
      'BAD_USER_INPUT',
      /^BadRequest_/,
    ],
    messages: [/Cannot query field/i, /Unknown (type|argument)/i],
  },
  // --- exactly once -----------------------------------------------------------------------------
  {
    // One home for the text: health (packages/domain) names the same code and fix.
    ...UNVERIFIED_POSTING,
    retryable: false,
    codes: [UNVERIFIED_POSTING.code],
  },
  {
    code: 'NO_SERIES_MANUAL_NOT_ALLOWED',
    category: 'configuration',
    message:
      "The journal batch's No. Series does not allow manual document numbers, so Business Central refused the numbers Meander sends.",
    fix: 'In Business Central, open General Journal Batches for the Meander batch and clear its No. Series (or tick "Manual Nos." on the series), then re-sync. Nothing was posted.',
    retryable: false,
    systems: BC,
    codes: ['NO_SERIES_MANUAL_NOT_ALLOWED'],
    messages: [/You may not enter numbers manually/i, /Manual Nos\. must be equal to 'Yes'/i],
  },
  // --- transient --------------------------------------------------------------------------------
  {
    code: 'RATE_LIMITED',
    category: 'transient',
    message: 'The ledger asked Meander to slow down.',
    fix: 'Nothing to change: Meander waits and retries; if it persists, move the schedule away from other integrations using the same ledger.',
    retryable: true,
    codes: [
      'RATE_LIMITED',
      '429',
      'HTTP_429',
      /RATE_LIMIT_REACHED$/,
      /CONCURRENCY_LIMIT_REACHED$/,
      'Application_TooManyRequests',
    ],
  },
  {
    code: 'LEDGER_UNAVAILABLE',
    category: 'transient',
    message: 'The ledger could not be reached or did not answer properly.',
    fix: 'Nothing to change: re-sync later (Meander retries the next scheduled run); the re-sync reads back what was already posted.',
    retryable: true,
    codes: [
      'UNAVAILABLE',
      'TIMEOUT',
      'QUERY_TIMED_OUT',
      'NETWORK_ERROR',
      'ECONNREFUSED',
      'ECONNRESET',
      'ENOTFOUND',
      'EAI_AGAIN',
      'UND_ERR_CONNECT_TIMEOUT',
      'MALFORMED_RESPONSE',
      'INCOMPLETE_RESPONSE',
      'UNEXPECTED_STATUS',
      'Request_EntityChanged',
      /^Internal_/,
      /^HTTP_5\d\d$/,
    ],
    messages: [/Service temporarily unavailable/i, /your query timed out/i],
  },
  {
    code: 'SYNC_INTERRUPTED',
    category: 'transient',
    message: 'The sync was interrupted by Meander itself (a worker stopped or was lost).',
    fix: 'Nothing to change: re-sync; records already posted are read back, not posted again.',
    retryable: true,
    codes: ['WORKER_SHUTDOWN', 'WORKER_LOST', 'ABORTED', 'WORKER_ERROR'],
  },
];

/** What a ledger error the catalogue does not know is reported as (and counted on /metrics). */
export const UNCLASSIFIED: Omit<CatalogueEntry, 'codes' | 'messages' | 'systems'> = {
  code: 'UNCLASSIFIED',
  category: 'unclassified',
  message: 'The ledger refused the record for a reason Meander does not recognise yet.',
  fix: "Read the ledger's own message next to the record; if it is unclear, report it to Meander support with the sync id.",
  retryable: false,
};
