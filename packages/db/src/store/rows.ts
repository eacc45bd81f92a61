import { getTableColumns, getTableName, type Table } from 'drizzle-orm';
import type { Decoder } from './driver.js';

/**
 * What a column may hold as either driver returns it: `text` a string; `number` a number, a bigint
 * or PostgreSQL's numeric text; `time` SQLite's ISO text or PostgreSQL's Date; `json` SQLite's text
 * or PostgreSQL's parsed value; `bool` a boolean or SQLite's 0/1. A trailing `?` allows NULL;
 * `skip` is a key the statement may not select (an optional field of the row type).
 */
type Kind = 'text' | 'number' | 'time' | 'json' | 'bool';
export type ColumnSpec = Kind | `${Kind}?` | 'skip';

/** PostgreSQL's text for a bigint or a numeric. */
const NUMERIC = /^-?\d+(\.\d+)?$/;

const accepts: Record<Kind, (value: unknown) => boolean> = {
  text: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' || typeof v === 'bigint' || (typeof v === 'string' && NUMERIC.test(v)),
  time: (v) => typeof v === 'string' || v instanceof Date,
  json: () => true,
  bool: (v) => typeof v === 'boolean' || v === 0 || v === 1,
};

type Check = readonly [name: string, kind: Kind, nullable: boolean];

function decoderOf<R>(what: string, checks: readonly Check[]): Decoder<R> {
  return (row) => {
    for (const [name, kind, nullable] of checks) {
      const value = row[name];
      if (value === undefined) throw new Error(`${what}: the row has no column ${name}`);
      if (value === null ? !nullable : !accepts[kind](value))
        throw new Error(
          `${what}: column ${name} holds ${value === null ? 'NULL' : typeof value}, not ${kind}`,
        );
    }
    return row as R;
  };
}

/**
 * A decoder for rows typed `R`, one spec per key: the compiler holds the list complete (a key of
 * `R` left out, or one `R` lacks, does not compile), and a row missing a column or holding the
 * wrong kind of value throws at the read.
 */
export function rowOf<R extends object>(
  what: string,
  spec: { readonly [K in keyof R]-?: ColumnSpec },
): Decoder<R> {
  const checks: Check[] = [];
  for (const [name, column] of Object.entries(spec) as [string, ColumnSpec][]) {
    if (column === 'skip') continue;
    const nullable = column.endsWith('?');
    checks.push([name, (nullable ? column.slice(0, -1) : column) as Kind, nullable]);
  }
  return decoderOf<R>(what, checks);
}

const KIND_OF_DATA_TYPE: Record<string, Kind> = {
  string: 'time',
  number: 'number',
  bigint: 'number',
  json: 'json',
  boolean: 'bool',
};

/**
 * A decoder for `SELECT *` rows of `table`, derived from the schema: every column present, NULL only
 * where the schema allows it. (Text columns accept a Date too: PostgreSQL returns its timestamps so.)
 */
export function tableRowOf<R>(table: Table): Decoder<R> {
  const checks: Check[] = [];
  for (const column of Object.values(getTableColumns(table))) {
    checks.push([column.name, KIND_OF_DATA_TYPE[column.dataType] ?? 'json', !column.notNull]);
  }
  return decoderOf<R>(`${getTableName(table)} row`, checks);
}

/** `SELECT COUNT(*) AS n`. */
export const countRow = rowOf<{ n: number | bigint | string }>('count', { n: 'number' });
