import type { Database } from '@meander/db';

/**
 * The tables where an expense record's text belongs: the intake's own copy of what Meander's
 * expense system sent. Everything else — the sync log, its deletions, the audit checkpoints,
 * unverified postings, webhook payloads, migration bookkeeping — must never hold it.
 */
const INTAKE_TABLES: readonly string[] = ['expense_records', 'expense_record_lines'];

/** One stored value that contains personal data. */
interface PersonalDataFinding {
  table: string;
  column: string;
  secret: string;
  /** The whole row, to show where it came from. */
  row: Record<string, unknown>;
}

/** What a scan found and what it looked at (rows per table), so a test can prove it looked. */
export interface PersonalDataScan {
  findings: PersonalDataFinding[];
  rowsScanned: Record<string, number>;
}

/**
 * The forms a secret can take once stored: as is, JSON-escaped (a payload or error details column
 * serialised by hand) and with every non-ASCII character `\uXXXX`-escaped (canonical JSON, hashes'
 * inputs). Compared case-insensitively: a ledger message may upper-case what it echoes.
 */
function needlesOf(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const ascii = json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [...new Set([secret, json, ascii].map((s) => s.toLowerCase()))];
}

/** A column's value as the text it stores (JSON columns serialised, bytes decoded). */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Which of `secrets` occur in `text` (case-insensitive, in any stored form). */
function secretsIn(text: string, secrets: readonly string[]): string[] {
  const haystack = text.toLowerCase();
  return secrets.filter((secret) => needlesOf(secret).some((needle) => haystack.includes(needle)));
}

/** Every base table of the database, schema-qualified on PostgreSQL (pg-boss's schema included). */
async function tablesOf(
  db: Database,
): Promise<{ name: string; select: () => Promise<Record<string, unknown>[]> }[]> {
  const raw = db.raw;
  if (raw.dialect === 'sqlite') {
    const names = raw.connection
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
      )
      .all() as { name: string }[];
    return names.map(({ name }) => ({
      name,
      select: async () =>
        raw.connection.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all() as Record<
          string,
          unknown
        >[],
    }));
  }
  const names = await raw.sql<{ table_schema: string; table_name: string }[]>`
    SELECT table_schema, table_name FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
    ORDER BY table_schema, table_name`;
  return names.map(({ table_schema, table_name }) => ({
    name: table_schema === 'public' ? table_name : `${table_schema}.${table_name}`,
    select: async () => [...(await raw.sql`SELECT * FROM ${raw.sql(table_schema)}.${raw.sql(table_name)}`)],
  }));
}

/**
 * Scan every column of every row of every table but the intake's own ({@link INTAKE_TABLES}, or
 * `options.except`) for any of `secrets`. A reversal, a new table or a new column is covered without
 * changing this: the scan reads what the database holds, not a list of columns.
 */
export async function findPersonalData(
  db: Database,
  secrets: readonly string[],
  options: { except?: readonly string[] } = {},
): Promise<PersonalDataScan> {
  const except = new Set(options.except ?? INTAKE_TABLES);
  const findings: PersonalDataFinding[] = [];
  const rowsScanned: Record<string, number> = {};
  for (const table of await tablesOf(db)) {
    if (except.has(table.name)) continue;
    const rows = await table.select();
    rowsScanned[table.name] = rows.length;
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        for (const secret of secretsIn(textOf(value), secrets))
          findings.push({ table: table.name, column, secret, row });
      }
    }
  }
  return { findings, rowsScanned };
}

/** Log lines (or any texts) that contain any of `secrets`, each with the secrets it holds. */
export function findPersonalDataInLines(
  lines: readonly string[],
  secrets: readonly string[],
): { line: string; secrets: string[] }[] {
  return lines.flatMap((line) => {
    const found = secretsIn(line, secrets);
    return found.length > 0 ? [{ line, secrets: found }] : [];
  });
}
