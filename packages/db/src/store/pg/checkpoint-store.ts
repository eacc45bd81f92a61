import type postgres from 'postgres';
import { SqlCheckpointStore } from '../checkpoint-store.js';
import { executorFor } from '../sql-executor.js';

/** The checkpoint log on PostgreSQL: the shared store over this pool (nothing here differs). */
export class PgCheckpointStore extends SqlCheckpointStore {
  constructor(sql: postgres.Sql) {
    super(executorFor({ dialect: 'postgres', sql }));
  }
}
