import { classifyRejection, explainCatalogCode } from '@meander/accounting';
import type { Database } from '@meander/db';
import type { ExportRecord, RejectionCategory, SyncLog } from '@meander/domain';

/** One rejected record, explained: what the ledger said, what it means, how to fix it. */
export interface RejectedItem {
  recordId: string;
  /** The ledger's raw code and message, verbatim. */
  vendorCode: string;
  vendorReason: string;
  /** The catalogue's code and category, message for a person and fix. */
  code: string;
  category: RejectionCategory;
  message: string;
  fix: string;
  retryable: boolean;
  /** The expense as Meander holds it (null when it is no longer approved or was removed). */
  bookingDate: string | null;
  amount: string | null;
  /** The same amount in integer minor units, as a decimal string (clients format it, never a float). */
  amountMinor: string | null;
  currency: string | null;
  account: string | null;
  description: string | null;
}

/** Minor units → decimal text (2-decimal currencies), never a float. */
function decimal(amountMinor: number): string {
  const sign = amountMinor < 0 ? '-' : '';
  const digits = String(Math.abs(amountMinor)).padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

const PAGE = 500;

/**
 * The rejected records of a sync, explained and joined with the expense they came from, in pages
 * (the failure list is bounded by the domain; expense details are read 500 ids at a time).
 */
export async function* rejectedItems(db: Database, log: SyncLog): AsyncGenerator<RejectedItem> {
  const failures = log.errorDetails?.recordFailures ?? [];
  for (let i = 0; i < failures.length; i += PAGE) {
    const page = failures.slice(i, i + PAGE);
    const records = new Map<string, ExportRecord>();
    for await (const batch of db.expenseRecords.streamApproved(
      {
        organizationId: log.organizationId,
        periodStart: log.periodStart,
        periodEnd: log.periodEnd,
        recordIds: page.map((f) => f.recordId),
      },
      PAGE,
    )) {
      for (const r of batch) records.set(r.id, r);
    }
    for (const f of page) {
      const explained = f.catalogCode
        ? explainCatalogCode(f.catalogCode)
        : classifyRejection(log.accountingSystem, { code: f.code, message: f.reason });
      const record = records.get(f.recordId);
      yield {
        recordId: f.recordId,
        vendorCode: f.code,
        vendorReason: f.reason,
        code: explained.code,
        category: f.catalogCategory ?? explained.category,
        message: explained.message,
        fix: explained.fix,
        retryable: f.retryable ?? explained.retryable,
        bookingDate: record?.bookingDate ?? null,
        amount: record ? decimal(record.amountMinor) : null,
        amountMinor: record ? String(record.amountMinor) : null,
        currency: record?.currency ?? null,
        account: record?.account ?? null,
        description: record?.description ?? null,
      };
    }
  }
}
