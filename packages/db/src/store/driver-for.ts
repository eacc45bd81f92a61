import type BetterSqlite3 from 'better-sqlite3';
import type postgres from 'postgres';
import type { Driver } from './driver.js';
import { oncePer } from './once-per.js';
import { PgDriver } from './pg/driver.js';
import type { RawConnection } from './port.js';
import { SqliteDriver } from './sqlite/driver.js';

// One driver per driver handle, so every store over one database shares one SQLite statement cache.
const sqliteDriverOf = oncePer((connection: BetterSqlite3.Database) => new SqliteDriver(connection));
const pgDriverOf = oncePer((sql: postgres.Sql) => new PgDriver(sql));

/** The one driver of an open database's handle (the database's own stores run on it too). */
export function driverFor(raw: { dialect: 'sqlite'; connection: BetterSqlite3.Database }): SqliteDriver;
export function driverFor(raw: { dialect: 'postgres'; sql: postgres.Sql }): PgDriver;
export function driverFor(raw: RawConnection): Driver;
export function driverFor(raw: RawConnection): Driver {
  return raw.dialect === 'sqlite' ? sqliteDriverOf(raw.connection) : pgDriverOf(raw.sql);
}
