import type BetterSqlite3 from 'better-sqlite3';
import type postgres from 'postgres';
import type { Driver } from './driver.js';
import { PgDriver } from './pg/driver.js';
import type { RawConnection } from './port.js';
import { SqliteDriver } from './sqlite/driver.js';

/** Drivers per driver handle, so every store over one database shares one SQLite statement cache. */
const drivers = new WeakMap<object, Driver>();

/** The one driver of an open database's handle (the database's own stores run on it too). */
export function driverFor(raw: { dialect: 'sqlite'; connection: BetterSqlite3.Database }): SqliteDriver;
export function driverFor(raw: { dialect: 'postgres'; sql: postgres.Sql }): PgDriver;
export function driverFor(raw: RawConnection): Driver;
export function driverFor(raw: RawConnection): Driver {
  const handle = raw.dialect === 'sqlite' ? raw.connection : raw.sql;
  let driver = drivers.get(handle);
  if (!driver) {
    driver = raw.dialect === 'sqlite' ? new SqliteDriver(raw.connection) : new PgDriver(raw.sql);
    drivers.set(handle, driver);
  }
  return driver;
}
