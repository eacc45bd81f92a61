import { randomUUID } from 'node:crypto';
import type { Database, Dialect, RawConnection } from '@meander/db';
import { createTestDatabase, givenOrganization } from '@meander/db/testing';
import type { ExpenseRecordInput } from '@meander/domain';
import { emit, type Row } from './report.js';
import { spreadOf } from './stats.js';

const BATCH = 1_000;

const DEPARTMENTS = ['SALES', 'OPS', 'RESEARCH', 'FINANCE'];

/**
 * `count` valid records as Meander's expense system sends them: 1–3 lines (a third each) with VAT
 * categories and dimensions, 250 employees, a description on every record and a receipt on half.
 */
function records(count: number): ExpenseRecordInput[] {
  return Array.from({ length: count }, (_, i) => {
    const department = DEPARTMENTS[i % DEPARTMENTS.length] as string;
    const travel = {
      account: '7140',
      amountMinor: 10_000 + i,
      vatCode: 'LOW',
      vatAmountMinor: Math.round((10_000 + i) * 0.12),
      dimensions: { department, project: `P${100 + (i % 40)}` },
    } as const;
    const meal = {
      account: '7350',
      amountMinor: 2_400 + (i % 500),
      vatCode: 'MEDIUM',
      vatAmountMinor: 360,
      dimensions: { department, costCentre: `CC${10 + (i % 7)}` },
    } as const;
    const parking = { account: '7150', amountMinor: 500, vatCode: 'EXEMPT', vatAmountMinor: 0 } as const;
    const lineCount = 1 + (i % 3);
    return {
      id: randomUUID(),
      version: 1,
      kind: i % 5 === 0 ? 'reimbursement' : 'expense_claim',
      employeeNumber: `E${String((i % 250) + 1).padStart(4, '0')}`,
      bookingDate: `2026-10-${String(1 + (i % 28)).padStart(2, '0')}`,
      currency: 'NOK',
      description: `Customer visit ${i}: taxi, lunch and parking`,
      ...(i % 2 === 0 ? { receiptUrl: `https://expenses.meander.example/receipts/${i}.pdf` } : {}),
      lines: [travel, meal, parking].slice(0, lineCount),
    };
  });
}

/** The record's fields the raw baseline stores as they come, by column (absent ones as NULL). */
const RECORD_COLUMNS = [
  ['id', 'id'],
  ['kind', 'kind'],
  ['currency', 'currency'],
  ['bookingDate', 'booking_date'],
  ['description', 'description'],
  ['version', 'version'],
  ['employeeNumber', 'employee_number'],
  ['receiptUrl', 'receipt_url'],
] as const;
const LINE_COLUMNS = [
  ['account', 'account'],
  ['amountMinor', 'amount_minor'],
  ['vatCode', 'vat_code'],
  ['vatAmountMinor', 'vat_amount_minor'],
] as const;
const DIMENSION_COLUMNS = [
  ['department', 'department'],
  ['project', 'project'],
  ['costCentre', 'cost_centre'],
] as const;

/** `row` extended with `from`'s fields under their column names, NULL where `from` has none. */
function withColumns(
  row: Record<string, unknown>,
  from: object | undefined,
  columns: readonly (readonly [string, string])[],
): Record<string, unknown> {
  const source = (from ?? {}) as Record<string, unknown>;
  for (const [field, column] of columns) row[column] = source[field] ?? null;
  return row;
}

/**
 * The raw baseline: the same rows (record and lines) inserted with the bare driver, one
 * transaction per batch, with no checks and a placeholder content hash.
 */
async function rawInsert(
  raw: RawConnection,
  organizationId: string,
  batch: readonly ExpenseRecordInput[],
): Promise<void> {
  const now = new Date().toISOString();
  const recordRows = batch.map((r) =>
    withColumns(
      { organization_id: organizationId, approval_state: 'approved', content_hash: 'raw', updated_at: now },
      r,
      RECORD_COLUMNS,
    ),
  );
  const lineRows = batch.flatMap((r) =>
    r.lines.map((l, n) =>
      withColumns(
        withColumns({ record_id: r.id, line_no: n + 1 }, l, LINE_COLUMNS),
        l.dimensions,
        DIMENSION_COLUMNS,
      ),
    ),
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
 * 1,000 — the path the API's `expenseRecords.upsert` calls: the domain's checks per record, one read
 * of the stored versions, the bulk inserts — versus the same rows inserted raw, one transaction per
 * batch. Each repetition writes into a fresh organization per side, the sides alternating batch by
 * batch; the ratio is raw time ÷ upsert time (the upsert's share of raw throughput), target ≥ 0.5×.
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
      // Batch by batch, the two sides alternating who goes first: on a shared machine the load
      // moves over seconds (far less than a whole 100,000-record side takes), and pairs of
      // neighbouring batches run under the same load. Each side's time is the sum of its batches.
      let p = 0;
      let b = 0;
      for (let i = 0, n = 0; i < count; i += BATCH, n += 1) {
        const product = () =>
          timed(async () => {
            const result = await db.expenseRecords.upsert(productOrg, forProduct.slice(i, i + BATCH));
            if (result.rejected.length > 0)
              throw new Error(`bench records refused: ${JSON.stringify(result.rejected[0])}`);
          });
        const baseline = () => timed(() => rawInsert(db.raw, rawOrg, forRaw.slice(i, i + BATCH)));
        if ((rep + n) % 2 === 0) {
          p += await product();
          b += await baseline();
        } else {
          b += await baseline();
          p += await product();
        }
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
