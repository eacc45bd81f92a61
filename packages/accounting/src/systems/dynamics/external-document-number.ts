import { createHash } from 'node:crypto';

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

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Prefix of every document number Meander posts, so they stand out in the G/L. */
const DOCUMENT_NUMBER_PREFIX = 'MX';

/**
 * The document number of one record's posting: `MX` + 18 base-32 characters of the SHA-256 of the
 * record id (Code[20]). It depends on the record alone — not on the sync or batch — so whichever
 * sync posted a record, any later one finds it in `generalLedgerEntries` by `documentNumber`
 * (external document numbers are not kept on G/L entries). 90 bits make a collision negligible.
 */
export function documentNumberFor(recordId: string): string {
  const digest = createHash('sha256').update(recordId, 'utf8').digest();
  let bits = 0;
  let value = 0;
  let out = DOCUMENT_NUMBER_PREFIX;
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < DOCUMENT_NUMBER_MAX) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= DOCUMENT_NUMBER_MAX) break;
    value &= (1 << bits) - 1;
  }
  return out;
}

/** What names one posting of a record: its id, its posting round (absent = 1), and whether it reverses. */
export interface PostingIdentity {
  id: string;
  postingRound?: number | undefined;
  reversal?: true | undefined;
}

/**
 * The document number of a record's posting round: {@link documentNumberFor} of the record id in
 * round 1 (the key every record had before rounds existed, so nothing already posted changes), of
 * `<id>#<n>` from round 2 on — a record exported again after its reversal is posted under a key of
 * its own instead of being read back as the posting that was reversed.
 */
function roundDocumentNumberOf(record: Pick<PostingIdentity, 'id' | 'postingRound'>): string {
  const round = record.postingRound ?? 1;
  return documentNumberFor(round > 1 ? `${record.id}#${round}` : record.id);
}

/**
 * The key of a record's posting: its round's key ({@link roundDocumentNumberOf}), or — for a reversal — the
 * key of `<round key id>:reversal`. A reversal is a posting of its own: it must never be found (and
 * so skipped) by the read-back of the posting it reverses, nor that posting by its read-back. Every
 * push, read-back, pre-flight and unverified-posting lookup goes through this one function.
 */
export function postingKeyOf(record: PostingIdentity): string {
  const round = record.postingRound ?? 1;
  const base = round > 1 ? `${record.id}#${round}` : record.id;
  return documentNumberFor(record.reversal ? `${base}:reversal` : base);
}

/** Business Central's journal line and G/L entry Description is Text[100]. */
const DESCRIPTION_MAX = 100;

/**
 * The journal line description: the record's document key, then its own description for the
 * accountant. Posting copies the line's Description onto every G/L entry (V: BaseApp table 17
 * "G/L Entry" `CopyFromGenJnlLine`, `Description := GenJnlLine.Description`) and nothing renumbers
 * it, unlike the document number a Posting No. Series replaces (`GenJnlPostBatch.CheckDocumentNo`),
 * so the read-back finds a posting by `startswith(description,'<key>')`.
 */
export function ledgerDescriptionFor(
  record: PostingIdentity & { description?: string | null | undefined },
): string {
  const own = (record.description ?? '').trim();
  // A reversal names the posting it reverses, so the accountant can pair them in the G/L.
  const text = record.reversal ? `Reversal of ${roundDocumentNumberOf(record)} ${own}`.trim() : own;
  return `${postingKeyOf(record)}${text === '' ? '' : ` ${text}`}`.slice(0, DESCRIPTION_MAX);
}
