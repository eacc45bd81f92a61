import { SqlCheckpointStore } from '../checkpoint-store.js';
import type { SqliteDriver } from './driver.js';

/** The checkpoint log on SQLite: the shared store over SQLite's driver (nothing here differs). */
export class SqliteCheckpointStore extends SqlCheckpointStore {
  constructor(driver: SqliteDriver) {
    super(driver);
  }
}
