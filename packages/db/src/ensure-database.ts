import postgres from 'postgres';
import { parseDatabaseUrl } from './connection-url.js';

/**
 * Make sure the PostgreSQL database `url` names exists, creating it (through the server's
 * `postgres` maintenance database, with the same credentials) when it does not: `pnpm start` on a
 * fresh server then just works. SQLite files are created on open, so for them this does nothing.
 * Resolves to what it found; a server that cannot be reached, or a role that may not create
 * databases, rejects with one sentence naming the database.
 */
export async function ensureDatabase(url: string): Promise<'exists' | 'created' | 'sqlite'> {
  const parsed = parseDatabaseUrl(url);
  if (parsed.dialect === 'sqlite') return 'sqlite';
  const target = new URL(parsed.url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, '')) || target.username || 'postgres';
  const probe = postgres(parsed.url, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
  try {
    await probe`SELECT 1`;
    return 'exists';
  } catch (error) {
    // 3D000: invalid_catalog_name, "database … does not exist". Anything else is not ours to fix.
    if ((error as { code?: string }).code !== '3D000') throw new Error(describe(error, name));
  } finally {
    await probe.end({ timeout: 1 }).catch(() => undefined);
  }
  const maintenance = new URL(parsed.url);
  maintenance.pathname = '/postgres';
  const admin = postgres(maintenance.toString(), { max: 1, onnotice: () => undefined, connect_timeout: 10 });
  try {
    await admin.unsafe(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    return 'created';
  } catch (error) {
    // Two processes starting at once: the other one created it.
    if ((error as { code?: string }).code === '42P04') return 'exists';
    throw new Error(
      `database "${name}" does not exist and could not be created (${describe(error, name)}); create it with: createdb ${name}`,
    );
  } finally {
    await admin.end({ timeout: 1 }).catch(() => undefined);
  }
}

function describe(error: unknown, name: string): string {
  const e = error as { code?: string; message?: string };
  if (e.code === 'ECONNREFUSED')
    return `PostgreSQL refused the connection for database "${name}": is the server running?`;
  return (e.message ?? String(error)).split('\n')[0] ?? String(error);
}
