import { SqlCheckpointStore } from '../checkpoint-store.js';
import type { PgDriver } from './driver.js';

/** The checkpoint log on PostgreSQL: the shared store over PostgreSQL's driver (nothing here differs). */
export class PgCheckpointStore extends SqlCheckpointStore {
  constructor(driver: PgDriver) {
    super(driver);
  }
}
