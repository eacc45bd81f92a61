import type { ExportRecord } from './export-record.js';
import {
  CURRENT_EXPORT_FORMAT_VERSION,
  MAX_SUMMARY_RECORD_IDS,
  type PayloadSummary,
} from './payload-summary.js';

/**
 * Accumulates a PII-free {@link PayloadSummary} while records stream past, in constant memory
 * beyond the bounded id list. Only ids, the count and the total are taken from each record.
 */
export class PayloadSummaryBuilder {
  private readonly ids: string[] = [];
  private truncated = false;
  private count = 0;
  private total = 0n;
  private currency: string | undefined;
  private mixedCurrencies = false;

  constructor(private readonly parentSyncId?: string) {}

  /** Add one batch (or one record) to the summary. */
  add(records: readonly Pick<ExportRecord, 'id' | 'amountMinor' | 'currency'>[]): this {
    for (const record of records) {
      this.count += 1;
      this.total += BigInt(record.amountMinor);
      if (this.currency === undefined) this.currency = record.currency;
      else if (this.currency !== record.currency) this.mixedCurrencies = true;
      if (this.ids.length < MAX_SUMMARY_RECORD_IDS) this.ids.push(record.id);
      else this.truncated = true;
    }
    return this;
  }

  /** The summary so far. A total across currencies means nothing, so it is omitted then. */
  build(): PayloadSummary {
    return {
      formatVersion: CURRENT_EXPORT_FORMAT_VERSION,
      recordIds: [...this.ids],
      ...(this.truncated ? { recordIdsTruncated: true } : {}),
      recordCount: this.count,
      ...(this.currency !== undefined && !this.mixedCurrencies
        ? { totalAmountMinor: this.total.toString(), currency: this.currency }
        : {}),
      ...(this.parentSyncId ? { parentSyncId: this.parentSyncId } : {}),
    };
  }
}
