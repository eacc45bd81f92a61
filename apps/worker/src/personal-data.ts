import type { RejectedRecord } from '@meander/accounting';
import type { ErrorDetails, ExportRecord } from '@meander/domain';

/**
 * Ledgers quote what they were sent in their refusals — Business Central: "The length of the string
 * is 120, but it must be less than or equal to 100 characters. Value: …" (microsoft/ALAppExtensions
 * #8173), "The Employee does not exist. Identification fields and values: No.='…'". Those messages
 * become the sync log's error details and unverified postings' reasons, which are audit data kept
 * for years and shown to every admin: a record's personal fields are replaced by their name there.
 * The message still says what is wrong; the record id says which record, and the intake holds it.
 */

/** A ledger truncates long texts (Business Central: Text[100]); a quoted prefix this long is the description. */
const MIN_QUOTED_PREFIX = 12;

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` found case-insensitively, not inside a longer word or code (E001 is not in E0012). */
function whole(text: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])${literal(text)}(?![\\p{L}\\p{N}])`, 'giu');
}

/** The longest prefix (≥ {@link MIN_QUOTED_PREFIX} characters) of `description` that `message` quotes. */
function quotedPrefix(message: string, description: string): string | null {
  const lower = message.toLowerCase();
  const text = description.toLowerCase();
  if (text.length < MIN_QUOTED_PREFIX || !lower.includes(text.slice(0, MIN_QUOTED_PREFIX))) return null;
  for (let length = text.length; length >= MIN_QUOTED_PREFIX; length -= 1)
    if (lower.includes(text.slice(0, length))) return description.slice(0, length);
  return null;
}

/** `message` with every personal field of `records` (description, employee number, receipt URL) named instead of quoted. */
export function withoutPersonalData(message: string, records: readonly ExportRecord[]): string {
  let out = message;
  // A cheap substring test first: a batch has up to 1,000 records and most quote none of them.
  const quotes = (text: string) => out.toLowerCase().includes(text.toLowerCase());
  for (const record of records) {
    if (record.receiptUrl && quotes(record.receiptUrl))
      out = out.replace(new RegExp(literal(record.receiptUrl), 'gi'), '[receipt URL]');
    const description = record.description?.trim();
    if (description) {
      // A short description is replaced only where it stands alone; a long one wherever it is quoted.
      if (description.length < MIN_QUOTED_PREFIX) {
        if (quotes(description)) out = out.replace(whole(description), '[description]');
      } else {
        const quoted = quotedPrefix(out, description);
        if (quoted) out = out.replace(new RegExp(literal(quoted), 'gi'), '[description]');
      }
    }
    if (record.employeeNumber && quotes(record.employeeNumber))
      out = out.replace(whole(record.employeeNumber), '[employee number]');
  }
  return out;
}

/** A whole-sync failure's details with the personal fields of the batch in flight named instead of quoted. */
export function detailsWithoutPersonalData(
  details: ErrorDetails,
  records: readonly ExportRecord[],
): ErrorDetails {
  if (records.length === 0) return details;
  return {
    ...details,
    message: withoutPersonalData(details.message, records),
    ...(details.stack ? { stack: withoutPersonalData(details.stack, records) } : {}),
  };
}

/** The ledger's refusals with each record's own personal fields replaced (see {@link withoutPersonalData}). */
export function rejectionsWithoutPersonalData(
  rejected: readonly RejectedRecord[],
  records: readonly ExportRecord[],
): RejectedRecord[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  return rejected.map((r) => {
    const record = byId.get(r.recordId);
    // A refusal may quote another record of the voucher or batch: every record of the batch is checked.
    const reason = withoutPersonalData(r.reason, record ? [record, ...records] : records);
    return reason === r.reason ? r : { ...r, reason };
  });
}
