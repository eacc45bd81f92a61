import { randomUUID } from 'node:crypto';
import type { Database, Dialect, RawConnection } from '@meander/db';
import { createTestDatabase, givenOrganization } from '@meander/db/testing';
import type { ExpenseRecordInput } from '@meander/domain';
import { emit, type Row } from './report.js';
import { spreadOf } from './stats.js';

const BATCH = 1_000;

/** `count` valid records, a third of them with two lines, VAT and dimensions (what a customer sends). */
function records(count: number): ExpenseRecordInput[] {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    version: 1,
    kind: i % 5 === 0 ? 'reimbursement' : 'expense_claim',
    employeeNumber: `E${String((i % 10) + 1).padStart(3, '0')}`,
    bookingDate: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}`,
    currency: 'NOK',
    description: `Expense ${i}`,
    lines:
      i % 3 === 0
        ? [
            {
              account: '7140',
              amountMinor: 10_000 + i,
              vatCode: 'HIGH',
              vatAmountMinor: 2_500,
              dimensions: { department: 'SALES' },
            },
            {
              account: '7150',
              amountMinor: 500,
              vatCode: 'EXEMPT',
              vatAmountMinor: 0,
              dimensions: { project: 'P100' },
            },
          ]
        : [{ account: '6800', amountMinor: 1_000 + i, vatCode: 'ZERO', vatAmountMinor: 0 }],
  }));
}

/** The raw baseline: the same rows (record and lines) inserted with the bare driver, one transaction per batch. */
async function rawInsert(
  raw: RawConnection,
  organizationId: string,
  batch: readonly ExpenseRecordInput[],
): Promise<void> {
  const now = new Date().toISOString();
  const recordRows = batch.map((r) => ({
    id: r.id,
    organization_id: organizationId,
    kind: r.kind,
    currency: r.currency,
    booking_date: r.bookingDate,
    approval_state: 'approved',
    description: r.description ?? null,
    version: r.version,
    employee_number: r.employeeNumber,
    receipt_url: null,
    content_hash: 'raw',
    updated_at: now,
  }));
  const lineRows = batch.flatMap((r) =>
    r.lines.map((l, n) => ({
      record_id: r.id,
      line_no: n + 1,
      account: l.account,
      amount_minor: l.amountMinor,
      vat_code: l.vatCode,
      vat_amount_minor: l.vatAmountMinor,
      department: l.dimensions?.department ?? null,
      project: l.dimensions?.project ?? null,
      cost_centre: l.dimensions?.costCentre ?? null,
    })),
  );
  if (raw.dialect === 'postgres') {
    await raw.sql.begin(async (tx) => {
      await tx`INSERT INTO expense_records ${tx(recordRows)}`;
      await tx`INSERT INTO expense_record_lines ${tx(lineRows)}`;
    });
    return;
  }
  const c = raw.connection;
  const insertRecord = c.prepare(
    `INSERT INTO expense_records (id, organization_id, kind, currency, booking_date, approval_state, description, version,
      employee_number, receipt_url, content_hash, updated_at)
     VALUES (@id, @organization_id, @kind, @currency, @booking_date, @approval_state, @description, @version,
      @employee_number, @receipt_url, @content_hash, @updated_at)`,
  );
  const insertLine = c.prepare(
    `INSERT INTO expense_record_lines (record_id, line_no, account, amount_minor, vat_code, vat_amount_minor, department, project, cost_centre)
     VALUES (@record_id, @line_no, @account, @amount_minor, @vat_code, @vat_amount_minor, @department, @project, @cost_centre)`,
  );
  c.transaction(() => {
    for (const row of recordRows) insertRecord.run(row);
    for (const row of lineRows) insertLine.run(row);
  })();
}

async function timed(run: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

/**
 * Intake throughput: `count` records handed over through `expenseRecords.upsert` in batches of
 * 1,000 (the domain's checks per record, one read of the stored versions, the bulk inserts) versus
 * the same rows inserted raw, batch for batch. Each repetition writes into a fresh organization, the
 * two sides alternating first; the ratio is raw time ÷ upsert time (the upsert's share of raw
 * throughput), target ≥ 0.5×.
 */
export async function runIntakeBench(dialect: Dialect, count: number, reps = 3): Promise<Row[]> {
  const rows: Row[] = [];
  const t = await createTestDatabase(dialect);
  try {
    const db: Database = t.db;
    const ratios: number[] = [];
    const upsertMs: number[] = [];
    const rawMs: number[] = [];
    // A warm-up of both paths (untimed): the figures compare warm code, not the JIT's first pass.
    const warm = (await givenOrganization(db)).id;
    await db.expenseRecords.upsert(warm, records(BATCH));
    await rawInsert(db.raw, warm, records(BATCH));
    for (let rep = 0; rep < reps; rep += 1) {
      const productOrg = (await givenOrganization(db)).id;
      const rawOrg = (await givenOrganization(db)).id;
      const forProduct = records(count);
      const forRaw = records(count);
      const product = () =>
        timed(async () => {
          for (let i = 0; i < forProduct.length; i += BATCH) {
            const result = await db.expenseRecords.upsert(productOrg, forProduct.slice(i, i + BATCH));
            if (result.rejected.length > 0)
              throw new Error(`bench records refused: ${JSON.stringify(result.rejected[0])}`);
          }
        });
      const baseline = () =>
        timed(async () => {
          for (let i = 0; i < forRaw.length; i += BATCH)
            await rawInsert(db.raw, rawOrg, forRaw.slice(i, i + BATCH));
        });
      let p: number;
      let b: number;
      if (rep % 2 === 0) {
        p = await product();
        b = await baseline();
      } else {
        b = await baseline();
        p = await product();
      }
      upsertMs.push(p);
      rawMs.push(b);
      ratios.push(b / p);
    }
    const spread = spreadOf(ratios);
    const perSecond = (ms: number[]) =>
      Math.round((count / (ms.reduce((a, b) => a + b, 0) / ms.length)) * 1000);
    emit(rows, {
      suite: 'intake',
      case: 'expenseRecords.upsert, batches of 1,000',
      size: count,
      subject: `${perSecond(upsertMs).toLocaleString('en-US')} records/s`,
      baseline: `${perSecond(rawMs).toLocaleString('en-US')} records/s raw insert`,
      ratio: spread.median,
      spread,
      target: '≥ 0.5×',
      pass: spread.median >= 0.5,
      extra: { upsertMs, rawMs },
    });
  } finally {
    await t.drop();
  }
  return rows;
}
