import { randomUUID } from 'node:crypto';
import type { ExpenseRecordInput } from '@meander/domain';
import { all, type Program } from './driver.js';
import { contentHash, existingRecordRow } from './expense-record-intake.js';
import { type IntakeStatements, insertRows } from './expense-record-statements.js';
import type { NewExpenseRecord } from './port.js';

/**
 * The rows of a one-line record as tests and benchmarks insert it (any approval state, so tests can
 * prove drafts and rejections are never exported): employee E001 unless named, VAT ZERO, version 1,
 * with the content hash an identical upsert would compute, so re-sending it is `unchanged`.
 */
export function legacyRows(r: NewExpenseRecord) {
  const id = (r.id ?? randomUUID()).toLowerCase();
  const input: ExpenseRecordInput = {
    id,
    version: 1,
    kind: r.kind,
    employeeNumber: r.employeeNumber ?? 'E001',
    bookingDate: r.bookingDate,
    currency: r.currency,
    ...(r.description ? { description: r.description } : {}),
    lines: [{ account: r.account, amountMinor: r.amountMinor, vatCode: 'ZERO', vatAmountMinor: 0 }],
  };
  const now = new Date().toISOString();
  return {
    record: {
      id,
      organization_id: r.organizationId,
      kind: r.kind,
      currency: r.currency,
      booking_date: r.bookingDate,
      approval_state: r.approvalState,
      description: r.description ?? null,
      version: 1,
      employee_number: input.employeeNumber,
      receipt_url: null,
      exchange_rate: null,
      content_hash: contentHash(input),
      updated_at: now,
    },
    line: {
      record_id: id,
      line_no: 1,
      account: r.account,
      amount_minor: r.amountMinor,
      vat_code: 'ZERO',
      vat_amount_minor: 0,
      department: null,
      project: null,
      cost_centre: null,
    },
  };
}

/** Insert the records whose ids are not stored yet (one statement per table); returns how many. */
export function* insertNewProgram(
  q: IntakeStatements,
  rows: readonly ReturnType<typeof legacyRows>[],
): Program<number> {
  const stored = yield* all(q.existing, { ids: rows.map((r) => r.record.id) }, existingRecordRow);
  const taken = new Set(stored.map((r) => String(r.id).toLowerCase()));
  const fresh = rows.filter((r) => !taken.has(r.record.id));
  if (fresh.length === 0) return 0;
  yield* insertRows(
    q,
    'records',
    fresh.map((r) => r.record),
  );
  yield* insertRows(
    q,
    'lines',
    fresh.map((r) => r.line),
  );
  return fresh.length;
}
