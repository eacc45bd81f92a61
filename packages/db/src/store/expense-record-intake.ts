import { createHash } from 'node:crypto';
import {
  checkExpenseRecordInput,
  DomainError,
  type ExpenseRecordInput,
  type ExpenseRecordIssue,
  expenseRecordFingerprint,
  MAX_UPSERT_RECORDS,
  organizationNotFound,
  type SyncLog,
} from '@meander/domain';
import { all, one, type Program, write } from './driver.js';
import { type IntakeStatements, insertRows } from './expense-record-statements.js';
import { intakeLineRow, intakeRecordRow, viewFromRows } from './expense-record-view.js';
import { rowOf } from './rows.js';
import { isUuid } from './uuid.js';

/** A refused record: its id (as sent, when it had one) and why. */
export interface RejectedRecord {
  id: string | null;
  issues: ExpenseRecordIssue[];
}

/** What `upsert` did with a batch: each record stored, already there, or refused on its own. */
export interface UpsertResult {
  upserted: number;
  unchanged: number;
  rejected: RejectedRecord[];
}

/** What `withdraw` did with a list of ids. */
export interface WithdrawResult {
  withdrawn: number;
  unchanged: number;
  rejected: RejectedRecord[];
}

/** The content hash of rows the migration moved (their content is compared, not their hash). */
const LEGACY_CONTENT_HASH = 'legacy-0011';

/** A record that passed the domain's rules, with what the store keeps beside it. */
export interface CheckedRecord {
  record: ExpenseRecordInput;
  contentHash: string;
}

/** The stored row an upsert compares against. */
interface ExistingRecord {
  id: string;
  organization_id: string;
  version: number | string;
  content_hash: string;
  posted_by_sync_log_id: string | null;
  withdrawn_at: string | Date | null;
  approval_state: string;
}

/** Checks a row of the `existing` statement. */
export const existingRecordRow = rowOf<ExistingRecord>('stored record', {
  id: 'text',
  organization_id: 'text',
  version: 'number',
  content_hash: 'text',
  posted_by_sync_log_id: 'text?',
  withdrawn_at: 'time?',
  approval_state: 'text',
});

const okRow = rowOf<{ ok: number | string }>('organization exists', { ok: 'number' });

/** ORGANIZATION_NOT_FOUND unless the organization exists. */
function* requireOrganization(q: IntakeStatements, organizationId: string): Program<void> {
  const organization = yield* one(q.organizationExists, { organizationId }, okRow);
  if (!organization) throw organizationNotFound(organizationId);
}

/** The stored rows of `ids` (whatever their organization), by lower-case id. */
function* storedById(q: IntakeStatements, ids: readonly string[]): Program<Map<string, ExistingRecord>> {
  const stored = yield* all(q.existing, { ids }, existingRecordRow);
  return new Map(stored.map((row) => [String(row.id).toLowerCase(), row]));
}

const issue = (rule: ExpenseRecordIssue['rule'], path: string[], message: string) => ({
  rule,
  path,
  message,
});

/** An upsert of a record the ledger holds already: what it posted changes only through a reversal. */
const alreadyPosted = (): Extract<UpsertDecision, { kind: 'reject' }> => ({
  kind: 'reject',
  issue: issue(
    'RECORD_ALREADY_POSTED',
    ['id'],
    'the record was posted to the ledger; reverse it before changing it',
  ),
});

/**
 * Validate each record on its own through the domain: the good ones (canonical lower-case id, with
 * their content hash), and the refused ones with their issues. A second record with an id already
 * seen in the batch is refused: which of the two the sender meant is not ours to guess.
 */
export function checkBatch(records: readonly unknown[]): {
  good: CheckedRecord[];
  rejected: RejectedRecord[];
} {
  if (records.length > MAX_UPSERT_RECORDS)
    throw new DomainError('VALIDATION_FAILED', `At most ${MAX_UPSERT_RECORDS} records per upsert`, [
      {
        rule: 'schema',
        severity: 'error',
        path: ['records'],
        message: `At most ${MAX_UPSERT_RECORDS} records`,
      },
    ]);
  const good: CheckedRecord[] = [];
  const rejected: RejectedRecord[] = [];
  const seen = new Set<string>();
  for (const value of records) {
    const verdict = checkExpenseRecordInput(value);
    const rawId = (value as { id?: unknown } | null)?.id;
    if (!verdict.ok) {
      rejected.push({ id: typeof rawId === 'string' ? rawId : null, issues: verdict.issues });
      continue;
    }
    const record = { ...verdict.record, id: verdict.record.id.toLowerCase() };
    if (seen.has(record.id)) {
      rejected.push({
        id: verdict.record.id,
        issues: [issue('DUPLICATE_ID_IN_REQUEST', ['id'], 'the same id appears earlier in this request')],
      });
      continue;
    }
    seen.add(record.id);
    good.push({ record, contentHash: contentHash(record) });
  }
  return { good, rejected };
}

/** SHA-256 of the record's canonical content: compares payloads without keeping a second copy. */
export function contentHash(record: ExpenseRecordInput): string {
  return createHash('sha256').update(expenseRecordFingerprint(record)).digest('hex');
}

/** What to do with one valid record given the stored one (pure). */
type UpsertDecision =
  | { kind: 'insert' }
  | { kind: 'update'; previousVersion: number }
  | { kind: 'unchanged' }
  | { kind: 'compare-legacy' }
  | { kind: 'reject'; issue: ExpenseRecordIssue };

/**
 * The rules of a re-sent record: an identical id, version and payload is `unchanged` (a retry, even
 * of a posted record); a posted record changes under no version (`RECORD_ALREADY_POSTED`: reverse it
 * first); a lower version is refused (`VERSION_NOT_NEWER`), so is another payload under the same
 * version (`VERSION_PAYLOAD_CONFLICT`); a higher version replaces the record and re-approves it if it
 * was withdrawn. An id another organization holds is refused without saying whose (`ID_IN_USE`).
 */
function decideUpsert(
  organizationId: string,
  existing: ExistingRecord | undefined,
  checked: CheckedRecord,
): UpsertDecision {
  if (!existing) return { kind: 'insert' };
  if (existing.organization_id !== organizationId)
    return { kind: 'reject', issue: issue('ID_IN_USE', ['id'], 'this id belongs to another record') };
  const version = Number(existing.version);
  const { record } = checked;
  if (record.version === version && existing.content_hash === checked.contentHash)
    return { kind: 'unchanged' };
  if (record.version === version && existing.content_hash === LEGACY_CONTENT_HASH)
    return { kind: 'compare-legacy' };
  if (existing.posted_by_sync_log_id !== null) return alreadyPosted();
  if (record.version < version)
    return {
      kind: 'reject',
      issue: issue('VERSION_NOT_NEWER', ['version'], `the stored version is ${version}; send a higher one`),
    };
  if (record.version === version)
    return {
      kind: 'reject',
      issue: issue(
        'VERSION_PAYLOAD_CONFLICT',
        ['version'],
        `version ${version} is stored with another payload; a change needs a higher version`,
      ),
    };
  return { kind: 'update', previousVersion: version };
}

function recordRow(organizationId: string, checked: CheckedRecord, now: string) {
  const r = checked.record;
  return {
    id: r.id,
    organization_id: organizationId,
    kind: r.kind,
    currency: r.currency,
    booking_date: r.bookingDate,
    approval_state: 'approved',
    description: r.description ?? null,
    version: r.version,
    employee_number: r.employeeNumber,
    receipt_url: r.receiptUrl ?? null,
    exchange_rate: r.exchangeRate ?? null,
    content_hash: checked.contentHash,
    updated_at: now,
  };
}

function lineRows(record: ExpenseRecordInput) {
  return record.lines.map((line, index) => ({
    record_id: record.id,
    line_no: index + 1,
    account: line.account,
    amount_minor: line.amountMinor,
    vat_code: line.vatCode,
    vat_amount_minor: line.vatAmountMinor,
    department: line.dimensions?.department ?? null,
    project: line.dimensions?.project ?? null,
    cost_centre: line.dimensions?.costCentre ?? null,
  }));
}

/** Thrown inside the transaction when a guarded update found the row moved on (a concurrent upsert). */
export class UpsertRaced extends Error {}

/**
 * The upsert of one checked batch as one read-decide-write transaction: one read of the stored rows,
 * a decision per record, then one insert per table for the new ones and a guarded update per changed
 * one. A refused record writes nothing.
 */
export function* upsertProgram(
  q: IntakeStatements,
  organizationId: string,
  good: readonly CheckedRecord[],
  now: string,
): Program<UpsertResult> {
  yield* requireOrganization(q, organizationId);
  const result: UpsertResult = { upserted: 0, unchanged: 0, rejected: [] };
  if (good.length === 0) return result;
  const byId = yield* storedById(
    q,
    good.map((c) => c.record.id),
  );
  const inserts: CheckedRecord[] = [];
  const lines: ReturnType<typeof lineRows> = [];
  for (const checked of good) {
    const first = decideUpsert(organizationId, byId.get(checked.record.id), checked);
    const decision =
      first.kind === 'compare-legacy' ? yield* compareLegacy(q, organizationId, checked) : first;
    if (decision.kind === 'reject') {
      result.rejected.push({ id: checked.record.id, issues: [decision.issue] });
      continue;
    }
    if (decision.kind === 'unchanged') {
      result.unchanged += 1;
      continue;
    }
    if (decision.kind === 'insert') inserts.push(checked);
    else {
      const changed = yield* write(q.updateRecord, {
        ...updateValues(organizationId, checked, now),
        previousVersion: decision.previousVersion,
      });
      if (changed !== 1) throw new UpsertRaced(checked.record.id);
      yield* write(q.deleteLines, { id: checked.record.id });
    }
    lines.push(...lineRows(checked.record));
    result.upserted += 1;
  }
  yield* insertRows(
    q,
    'records',
    inserts.map((c) => recordRow(organizationId, c, now)),
  );
  yield* insertRows(q, 'lines', lines);
  return result;
}

function updateValues(organizationId: string, checked: CheckedRecord, now: string) {
  const row = recordRow(organizationId, checked, now);
  return {
    id: row.id,
    kind: row.kind,
    currency: row.currency,
    bookingDate: row.booking_date,
    description: row.description,
    version: row.version,
    employeeNumber: row.employee_number,
    receiptUrl: row.receipt_url,
    exchangeRate: row.exchange_rate,
    contentHash: row.content_hash,
    updatedAt: now,
  };
}

/** A migrated row at the same version: unchanged when its stored content is the record's. */
function* compareLegacy(
  q: IntakeStatements,
  organizationId: string,
  checked: CheckedRecord,
): Program<Exclude<UpsertDecision, { kind: 'compare-legacy' }>> {
  const row = yield* one(q.recordById, { id: checked.record.id, organizationId }, intakeRecordRow);
  const lines = yield* all(q.linesOf, { ids: [checked.record.id] }, intakeLineRow);
  if (row && contentHash(viewFromRows(row, lines)) === checked.contentHash) return { kind: 'unchanged' };
  if (row?.posted_by_sync_log_id) return alreadyPosted();
  return {
    kind: 'reject',
    issue: issue('VERSION_PAYLOAD_CONFLICT', ['version'], 'this version is stored with another payload'),
  };
}

/**
 * Withdraw approved records before export: each id on its own. Unknown ids (or another
 * organization's) are `RECORD_NOT_FOUND`, posted ones `RECORD_ALREADY_POSTED`, already withdrawn
 * ones `unchanged`.
 */
export function* withdrawProgram(
  q: IntakeStatements,
  organizationId: string,
  ids: readonly string[],
  now: string,
): Program<WithdrawResult> {
  yield* requireOrganization(q, organizationId);
  const result: WithdrawResult = { withdrawn: 0, unchanged: 0, rejected: [] };
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
  const byId = yield* storedById(q, wanted.filter(isUuid));
  for (const id of wanted) {
    const row = byId.get(id);
    if (!row || row.organization_id !== organizationId || row.approval_state !== 'approved')
      result.rejected.push({
        id,
        issues: [issue('RECORD_NOT_FOUND', ['ids'], 'no such record in this organization')],
      });
    else if (row.posted_by_sync_log_id !== null)
      result.rejected.push({
        id,
        issues: [
          issue('RECORD_ALREADY_POSTED', ['ids'], 'the record was posted to the ledger; reverse it instead'),
        ],
      });
    else if (row.withdrawn_at !== null) result.unchanged += 1;
    else {
      const changed = yield* write(q.withdraw, { id, now });
      if (changed !== 1) throw new UpsertRaced(id);
      result.withdrawn += 1;
    }
  }
  return result;
}

/**
 * Mark what a success or partial sync posted, inside its completing transaction (see the
 * `markPosted` statement). Nothing is marked when the sync does not say which records failed
 * (`recordFailuresTruncated`) or which it re-sent (`recordIdsTruncated` on a re-sync): an unmarked
 * record stays changeable, which the exactly-once read-back of the adapters tolerates; a wrongly
 * marked one could never be corrected.
 */
export function* markPostedProgram(q: IntakeStatements, log: SyncLog): Program<number> {
  if (log.status !== 'success' && log.status !== 'partial') return 0;
  if (log.errorDetails?.recordFailuresTruncated) return 0;
  const summary = log.payloadSummary;
  const resync = summary?.parentSyncId !== undefined;
  if (resync && summary?.recordIdsTruncated) return 0;
  const ids = resync ? (summary?.recordIds ?? []).filter(isUuid) : [];
  const failedIds = (log.errorDetails?.recordFailures ?? []).map((f) => f.recordId).filter(isUuid);
  return yield* write(q.markPosted, {
    syncLogId: log.id,
    organizationId: log.organizationId,
    from: log.periodStart.slice(0, 10),
    to: log.periodEnd.slice(0, 10),
    startedAt: log.startedAt,
    onlyIds: resync ? 1 : 0,
    ids,
    failedIds,
  });
}
