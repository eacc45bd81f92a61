/** Business Central's `externalDocumentNumber` is a Code[35] field (stored upper-case). */
export const EXTERNAL_DOCUMENT_NUMBER_MAX = 35;
/** `documentNumber` is a Code[20] field. */
export const DOCUMENT_NUMBER_MAX = 20;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * The external document number that carries a Meander record id. Ids up to 35 characters are used
 * as they are (upper-cased, as the Code field stores them). A UUID — 36 characters, one too many —
 * loses its hyphens (32), which keeps it readable and unique. Longer ids are refused by the ledger
 * with a validation error rather than silently shortened into a possible collision.
 */
export function externalDocumentNumberFor(recordId: string): string {
  if (UUID.test(recordId)) return recordId.replaceAll('-', '').toUpperCase();
  return recordId.toUpperCase();
}

/** The document number of a batch: one per sync and batch, within Code[20]. */
export function documentNumberFor(syncLogId: string, batchNumber: number): string {
  const syncPart = syncLogId
    .replace(/[^0-9A-Za-z]/g, '')
    .slice(0, 12)
    .toUpperCase();
  return `M${syncPart}-${batchNumber}`.slice(0, DOCUMENT_NUMBER_MAX);
}
