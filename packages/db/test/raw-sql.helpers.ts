import type { RawConnection } from '../src/store/port.js';

/** Run one raw statement on either dialect (`?` placeholders are rewritten to `$n` for PostgreSQL). */
export async function rawExec(raw: RawConnection, statement: string, params: unknown[] = []): Promise<void> {
  if (raw.dialect === 'sqlite') {
    raw.connection.prepare(statement).run(...params);
    return;
  }
  let n = 0;
  await raw.sql.unsafe(
    statement.replace(/\?/g, () => `$${++n}`),
    params as never[],
  );
}

/** Run a raw query on either dialect. */
export async function rawQuery<T>(
  raw: RawConnection,
  statement: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (raw.dialect === 'sqlite') return raw.connection.prepare(statement).all(...params) as T[];
  let n = 0;
  return (await raw.sql.unsafe(
    statement.replace(/\?/g, () => `$${++n}`),
    params as never[],
  )) as unknown as T[];
}

/** The error a raw statement raised, or null. */
export async function rawError(
  raw: RawConnection,
  statement: string,
  params: unknown[] = [],
): Promise<string | null> {
  try {
    await rawExec(raw, statement, params);
    return null;
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return `${e.code ?? ''} ${e.message ?? ''}`;
  }
}

/**
 * A JSON value as a raw parameter: text on SQLite; the value itself on PostgreSQL, where the driver
 * encodes it for the jsonb column once (a pre-stringified value would be stored as a JSON string).
 */
export function jsonParam(dialect: 'sqlite' | 'postgres', value: unknown): unknown {
  if (value === null || value === undefined) return null;
  return dialect === 'sqlite' ? JSON.stringify(value) : value;
}
