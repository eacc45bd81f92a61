import type { AccountingSystem } from '@meander/domain';

/**
 * Ledger errors the catalogue must recognise, each with where it comes from. `vendor`: the vendor's
 * documented or published text (the source named); `adapter`: a code this package's adapters emit
 * themselves; `emulator`: what the local emulators answer (the emulator test also produces these
 * live). Every catalogue entry has at least one fixture (tested).
 */
export interface RejectionFixture {
  system: AccountingSystem;
  code: string;
  message: string;
  expected: string;
  source: string;
}

const BC_LEARN = 'MS Learn, Business Central "dynamics_error_codes"';
const BC_AL = 'BCApps / BaseApp AL source (see shared spec/accounting-systems.md)';
const XL_SAMPLES = 'xledger/graphql-samples and public clients (go-xledger, grasp-labs, onecore)';

export const REJECTION_FIXTURES: readonly RejectionFixture[] = [
  // The posting model (issue 24): adapter pre-flight codes and Business Central's own refusals.
  {
    system: 'dynamics',
    code: 'PREFLIGHT_VAT_CATEGORY_UNMAPPED',
    message:
      'VAT category LOW has no Business Central VAT code: add LOW=<VAT Prod. Posting Group> to vatCodes',
    expected: 'VAT_CATEGORY_UNMAPPED',
    source: 'adapter: dynamics-document-plan.ts',
  },
  {
    system: 'dynamics',
    code: 'PREFLIGHT_RECEIPT_URL_INVALID',
    message: 'The receipt link is not an http(s) URL',
    expected: 'RECEIPT_URL_INVALID',
    source: 'adapter: dynamics-document-plan.ts',
  },
  {
    system: 'dynamics',
    code: 'PREFLIGHT_DIMENSION_UNMAPPED',
    message: 'Dimension costCentre (value CC1) has no Business Central dimension',
    expected: 'DIMENSION_UNMAPPED',
    source: 'adapter: dynamics-document-plan.ts',
  },
  {
    system: 'dynamics',
    code: 'Application_FieldValidationException',
    message:
      'The field VAT Prod. Posting Group of table Gen. Journal Line contains a value (S99) that cannot be found in the related table (VAT Product Posting Group).',
    expected: 'VAT_CODE_UNKNOWN',
    source: `${BC_AL}: APIV2JournalLines.Page.al taxCode → "VAT Prod. Posting Group" (table relation; I: platform message)`,
  },
  {
    system: 'dynamics',
    code: 'Application_DialogException',
    message: 'The "valueCode" does not match to a Dimension Value.',
    expected: 'DIMENSION_VALUE_UNKNOWN',
    source: `${BC_AL}: APIV2DimensionSetLines.Page.al DimensionValueCodeDoesNotMatchADimensionValueErr`,
  },
  {
    system: 'dynamics',
    code: 'Application_DialogException',
    message:
      'The dimension set line already exists. Check existing dimension set lines and the default dimension set lines on the parent.',
    expected: 'DIMENSION_ALREADY_SET',
    source: `${BC_AL}: APIV2DimensionSetLines.Page.al RecordAlreadyExistErr`,
  },
  {
    system: 'dynamics',
    code: 'Application_FieldValidationException',
    message:
      'The field Bal. Account No. of table Gen. Journal Line contains a value (E999) that cannot be found in the related table (Employee).',
    expected: 'EMPLOYEE_UNKNOWN',
    source: `${BC_AL}: table 81 Bal. Account No. table relation to Employee (I: platform message)`,
  },
  // Business Central: recorded vendor bodies `{"error":{"code","message"}}`
  {
    system: 'dynamics',
    code: 'Application_DialogException',
    message:
      'Document No. MEA-1A2B3C4D is out of balance by 125.00. Check that the document is complete.  CorrelationId:  0f6c3a0e-5d0c-4c6e-9a59-0e9a7a1b2c3d.',
    expected: 'DOCUMENT_OUT_OF_BALANCE',
    source: `${BC_AL}: GenJnlPostBatch "… is out of balance by …"`,
  },
  {
    system: 'dynamics',
    code: 'Application_DialogException',
    message: 'There is nothing to post.  CorrelationId:  3c2b1a0f-1111-4222-8333-944455566677.',
    expected: 'NOTHING_TO_POST',
    source: `${BC_AL}: APIV2Journals.Page.al`,
  },
  {
    system: 'dynamics',
    code: 'Application_FieldValidationException',
    message:
      "Posting Date is not within your range of allowed posting dates in Gen. Journal Line Journal Template Name='GENERAL'.",
    expected: 'PERIOD_LOCKED',
    source: `${BC_AL}: GenJnlCheckLine (widely reported)`,
  },
  {
    system: 'dynamics',
    code: 'Application_FieldValidationException',
    message:
      'The field Account No. of table Gen. Journal Line contains a value (9999) that cannot be found in the related table (G/L Account).',
    expected: 'ACCOUNT_UNKNOWN',
    source: `${BC_AL}: table relation validation of Account No.`,
  },
  {
    system: 'dynamics',
    code: 'Application_FieldValidationException',
    message: "Blocked must be equal to 'No'  in G/L Account: No.=7100. Current value is 'Yes'.",
    expected: 'ACCOUNT_BLOCKED',
    source: `${BC_AL}: G/L Account TestField(Blocked, false)`,
  },
  {
    system: 'dynamics',
    code: 'Application_FieldValidationException',
    message: 'Some field is not valid for this journal line.',
    expected: 'RECORD_INVALID',
    source: `${BC_LEARN}: Application_* = application logic error`,
  },
  {
    system: 'dynamics',
    code: 'Internal_EntityWithSameKeyExists',
    message: 'The record already exists.  CorrelationId:  6d2c8f11-2222-4333-8444-955566677788.',
    expected: 'ALREADY_POSTED',
    source: BC_LEARN,
  },
  {
    system: 'dynamics',
    code: 'Authentication_InvalidCredentials',
    message:
      'The server has rejected the client credentials.  CorrelationId:  7e3d9a22-3333-4444-8555-a66677788899.',
    expected: 'CREDENTIALS_REJECTED',
    source: BC_LEARN,
  },
  {
    system: 'dynamics',
    code: 'Authorization_InsufficientPermissions',
    message: 'You do not have the following permissions on TableData Gen. Journal Line: Insert.',
    expected: 'CREDENTIALS_REJECTED',
    source: BC_LEARN,
  },
  {
    system: 'dynamics',
    code: 'BadRequest_NotFound',
    message: 'Bad Request - Error in query syntax.',
    expected: 'CONNECTION_MISCONFIGURED',
    source: BC_LEARN,
  },
  {
    system: 'dynamics',
    code: 'BadRequest_InvalidRequestUrl',
    message: "An incompatible property definition already exists for 'Allowed_Companies_0.Name'",
    expected: 'ALREADY_POSTED',
    source: `${BC_LEARN} (a message family wins over the code family: "already exists")`,
  },
  {
    system: 'dynamics',
    code: 'BadRequest_MethodNotAllowed',
    message:
      "'PATCH' requests for 'generalLedgerEntries' of EdmType 'Entity' are not allowed within Dynamics 365 Business Central OData web services.",
    expected: 'CONNECTION_MISCONFIGURED',
    source: BC_LEARN,
  },
  {
    system: 'dynamics',
    code: 'BadRequest_InvalidToken',
    message: "Invalid token at position 12 in 'documentNumber eq'.",
    expected: 'API_CONTRACT_MISMATCH',
    source: `${BC_LEARN}: BadRequest_* = error in the forming of the request`,
  },
  {
    system: 'dynamics',
    code: 'Application_StringExceededLength',
    message:
      'The length of the string for description is 120, but it must be less than or equal to 100 characters. Value: Taxi',
    expected: 'TEXT_TOO_LONG',
    source: "emulator (Business Central's own code and message shape)",
  },
  {
    system: 'dynamics',
    code: 'HTTP_429',
    message: 'Business Central answered HTTP 429',
    expected: 'RATE_LIMITED',
    source: 'adapter: 429 without a body',
  },
  {
    system: 'dynamics',
    code: 'Application_TooManyRequests',
    message: 'Too many requests reached. Actual (6001). Maximum (6000).',
    expected: 'RATE_LIMITED',
    source: 'MS Learn "Working with API limits" (emulator answers the same)',
  },
  {
    system: 'dynamics',
    code: 'Internal_ServerError',
    message: 'An unexpected error occurred.',
    expected: 'LEDGER_UNAVAILABLE',
    source: BC_LEARN,
  },
  {
    system: 'dynamics',
    code: 'Request_EntityChanged',
    message: 'Another user has already changed the record.',
    expected: 'LEDGER_UNAVAILABLE',
    source: BC_LEARN,
  },
  {
    system: 'dynamics',
    code: 'Application_FieldValidationException',
    message: 'Account No. must have a value.',
    expected: 'ACCOUNT_MISSING',
    source: "emulator (Business Central's TestField message)",
  },
  {
    system: 'dynamics',
    code: 'PREFLIGHT_UNKNOWN_ACCOUNT',
    message: 'Account 9999 is not in the chart of accounts',
    expected: 'ACCOUNT_UNKNOWN',
    source: 'adapter pre-flight (PREFLIGHT_CODES)',
  },
  // Xledger: recorded GraphQL `errors[]` entries (HTTP 200)
  {
    system: 'xledger',
    code: 'BAD_REQUEST.BURST_RATE_LIMIT_REACHED',
    message: 'Too many requests',
    expected: 'RATE_LIMITED',
    source: XL_SAMPLES,
  },
  {
    system: 'xledger',
    code: 'BAD_REQUEST.CONCURRENCY_LIMIT_REACHED',
    message: 'Too many requests',
    expected: 'RATE_LIMITED',
    source: XL_SAMPLES,
  },
  {
    system: 'xledger',
    code: 'BAD_REQUEST.INSUFFICIENT_CREDITS',
    message: 'Insufficient credits for this request',
    expected: 'INSUFFICIENT_CREDITS',
    source: XL_SAMPLES,
  },
  {
    system: 'xledger',
    code: '',
    message: 'bad format for api token',
    expected: 'CREDENTIALS_REJECTED',
    source: 'xledger/graphql-samples GraphQLClient.cs; spec/accounting-systems.md',
  },
  {
    system: 'xledger',
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: 'Cannot query field "glImportItemz" on type "Query".',
    expected: 'API_CONTRACT_MISMATCH',
    source: 'GraphQL validation error (emulator answers the same)',
  },
  {
    system: 'xledger',
    code: 'INVALID_VALUE',
    message: 'Account 4999 is closed for posting',
    expected: 'ACCOUNT_BLOCKED',
    source: 'emulator (closedAccounts fault)',
  },
  {
    system: 'xledger',
    code: 'INVALID_VALUE',
    message: 'Amount must not be zero',
    expected: 'AMOUNT_INVALID',
    source: 'emulator (rejectZeroAmounts fault)',
  },
  {
    system: 'xledger',
    code: 'INVALID_VALUE',
    message: "Record 3f1c… is refused by the ledger's rules",
    expected: 'RECORD_REFUSED_BY_RULE',
    source: 'emulator (rejectRecordIds fault)',
  },
  {
    system: 'xledger',
    code: 'INVALID_VALUE',
    message: 'postedDate is not a valid date',
    expected: 'RECORD_INVALID',
    source: `${XL_SAMPLES}: extensions.code = INVALID_VALUE`,
  },
  {
    system: 'xledger',
    code: 'DUPLICATE_EXT_IDENTIFIER',
    message: 'An item with extIdentifier 3f1c already exists',
    expected: 'ALREADY_POSTED',
    source: 'emulator / adapter',
  },
  {
    system: 'xledger',
    code: 'PREFLIGHT_PERIOD_LOCKED',
    message: 'Period 2026-10 is closed',
    expected: 'PERIOD_LOCKED',
    source: 'adapter pre-flight (PREFLIGHT_CODES)',
  },
  {
    system: 'xledger',
    code: 'PREFLIGHT_FOREIGN_CURRENCY',
    message: 'SEK is not the company currency',
    expected: 'FOREIGN_CURRENCY',
    source: 'adapter pre-flight (PREFLIGHT_CODES)',
  },
  {
    system: 'xledger',
    code: 'QUERY_TIMED_OUT',
    message: 'Your query timed out',
    expected: 'LEDGER_UNAVAILABLE',
    source: 'grasp-labs ds-provider-xledger-py-lib error rules',
  },
  // Codes this package's adapters emit themselves (grep packages/accounting/src)
  {
    system: 'xledger',
    code: 'INVALID_CONNECTION',
    message: 'apiToken is required',
    expected: 'CONNECTION_MISCONFIGURED',
    source: 'adapter',
  },
  {
    system: 'dynamics',
    code: 'NOT_FOUND',
    message: 'HTTP 404',
    expected: 'CONNECTION_MISCONFIGURED',
    source: 'adapter',
  },
  {
    system: 'xledger',
    code: 'PAYLOAD_TOO_LARGE',
    message: 'HTTP 413',
    expected: 'REQUEST_TOO_LARGE',
    source: 'adapter',
  },
  {
    system: 'xledger',
    code: 'NETWORK_ERROR',
    message: 'connect ECONNREFUSED 127.0.0.1:9',
    expected: 'LEDGER_UNAVAILABLE',
    source: 'adapter',
  },
  {
    system: 'dynamics',
    code: 'TIMEOUT',
    message: 'No answer within 30000 ms',
    expected: 'LEDGER_UNAVAILABLE',
    source: 'adapter',
  },
  {
    system: 'dynamics',
    code: 'MALFORMED_RESPONSE',
    message: 'The response body is not JSON',
    expected: 'LEDGER_UNAVAILABLE',
    source: 'adapter',
  },
  {
    system: 'xledger',
    code: 'INVALID_RECORD',
    message: 'amountMinor must be an integer',
    expected: 'RECORD_INVALID',
    source: 'adapter',
  },
  {
    system: 'dynamics',
    code: 'EXTERNAL_DOCUMENT_NUMBER_COLLISION',
    message: 'Two records map to one document number',
    expected: 'ALREADY_POSTED',
    source: 'adapter',
  },
  {
    system: 'xledger',
    code: 'WORKER_LOST',
    message: 'No heartbeat since …',
    expected: 'SYNC_INTERRUPTED',
    source: 'worker',
  },
  {
    system: 'dynamics',
    code: 'POSTED_NOT_FOUND',
    message: "Business Central accepted the post, but no G/L entry carries this record's key",
    expected: 'POSTED_NOT_FOUND',
    source: 'adapter',
  },
  {
    system: 'xledger',
    code: 'POSTED_NOT_FOUND',
    message:
      "Xledger accepted the import, but its items were not processed within 60 s (still staged, or removed). Meander will not import it again on its own: look for it in Xledger's GL import screen, then re-sync.",
    expected: 'POSTED_NOT_FOUND',
    source: 'adapter',
  },
  {
    system: 'dynamics',
    code: 'Application_FieldValidationException',
    message:
      'You may not enter numbers manually. If you want to enter numbers manually, please activate Manual Nos. in No. Series GJNL-GEN.  CorrelationId:  5a0d3c1e-2b4f-4c6d-8e9f-0a1b2c3d4e5f.',
    expected: 'NO_SERIES_MANUAL_NOT_ALLOWED',
    source: `${BC_AL}: NoSeriesManagement.TestManual ("You may not enter numbers manually…")`,
  },
  {
    system: 'xledger',
    code: 'XLEDGER_STAGED_WITH_ERRORS',
    message:
      "Its GL import items are still staged in Xledger from an earlier attempt, with a processing error (Xledger now says: Account 7140 is closed for posting). Meander does not import it again while they exist: correct and reprocess them in Xledger's GL import screen, or delete them, then re-sync.",
    expected: 'STAGED_WITH_ERRORS',
    source: 'adapter',
  },
  {
    system: 'xledger',
    code: 'XLEDGER_VAT_CATEGORY_UNMAPPED',
    message:
      'Line 2 has VAT category LOW with VAT 12.00, and the connection setting vatCodes maps no Xledger tax rule to LOW',
    expected: 'XLEDGER_VAT_CATEGORY_UNMAPPED',
    source: 'adapter',
  },
  {
    system: 'xledger',
    code: 'XLEDGER_DIMENSION_UNMAPPED',
    message:
      'Line 1 has costCentre CC1, and the connection setting dimensions maps costCentre to no GL import item field',
    expected: 'XLEDGER_DIMENSION_UNMAPPED',
    source: 'adapter',
  },
  {
    system: 'xledger',
    code: 'GL_IMPORT_ITEM_ERROR',
    message: "Tax rule '99' does not exist",
    expected: 'XLEDGER_TAX_RULE_UNKNOWN',
    source: 'emulator (I: wording like its "Account \'…\' does not exist")',
  },
  {
    system: 'xledger',
    code: 'GL_IMPORT_ITEM_ERROR',
    message: "Value 'HR' does not exist for glObject1",
    expected: 'XLEDGER_DIMENSION_VALUE_UNKNOWN',
    source: 'emulator (I: wording)',
  },
  {
    system: 'xledger',
    code: 'GL_IMPORT_ITEM_ERROR',
    message: "Project 'P999' does not exist",
    expected: 'XLEDGER_DIMENSION_VALUE_UNKNOWN',
    source: 'emulator (I: wording)',
  },
  {
    system: 'xledger',
    code: 'GL_IMPORT_ITEM_ERROR',
    message: "Subledger 'E999' does not exist",
    expected: 'XLEDGER_EMPLOYEE_UNKNOWN',
    source: 'emulator (I: wording)',
  },
  {
    system: 'xledger',
    code: 'XLEDGER_MASTER_DATA_UNKNOWN',
    message: 'Employee E999 does not exist in Xledger',
    expected: 'XLEDGER_EMPLOYEE_UNKNOWN',
    source: 'adapter (pre-flight)',
  },
  {
    system: 'xledger',
    code: 'XLEDGER_MASTER_DATA_UNKNOWN',
    message: 'glObject1 value HR does not exist in Xledger',
    expected: 'XLEDGER_DIMENSION_VALUE_UNKNOWN',
    source: 'adapter (pre-flight)',
  },
  {
    system: 'xledger',
    code: 'SOMETHING_NEW',
    message: 'A reason nobody has seen',
    expected: 'UNCLASSIFIED',
    source: 'unknown',
  },
];
