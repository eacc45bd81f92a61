// The patterns behind the schemas' string fields, shared with the checks that recognise a value
// without running its schema (so the two cannot drift). Internal: not exported from the package.

/** A record id: letters, digits and `-_.:`, starting with a letter or digit (1–64 characters). */
export const RECORD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
export const RECORD_ID_MAX_LENGTH = 64;
/** An ISO-4217 currency code. */
export const CURRENCY_PATTERN = /^[A-Z]{3}$/;
