import type postgres from 'postgres';
import { type Driver, driveAsync, type Op, type Program, type TransactionOptions } from '../driver.js';
import { bind } from '../statement.js';

type Sql = postgres.Sql | postgres.TransactionSql;

/** One statement as a named prepared query (postgres.js caches it per connection by its text). */
async function execute(sql: Sql, op: Op): Promise<unknown> {
  // Parameters go as they are: the prepared statement's types tell the driver how to encode each
  // (a jsonb parameter takes the object itself — a pre-stringified one would be stored as a string).
  const rows = await sql.unsafe(op.statement.text, bind(op.statement, op.values) as never[], {
    prepare: true,
  });
  if (op.kind === 'run') return rows.count;
  if (op.kind === 'get') return rows[0];
  return rows;
}

/**
 * How the shared stores run on PostgreSQL: statements awaited on the pool, a write program inside
 * one `sql.begin` transaction. Races the transaction's reads cannot see (two creates at once) are
 * settled by the constraints and the row and chain locks of pg/sync-log-store.ts.
 */
export class PgDriver implements Driver {
  readonly dialect = 'postgres';

  constructor(private readonly sql: postgres.Sql) {}

  run<T>(program: Program<T>): Promise<T> {
    return driveAsync(program, (op) => execute(this.sql, op));
  }

  async transaction<T>(program: () => Program<T>, options: TransactionOptions = {}): Promise<T> {
    return (await this.sql.begin(async (tx) => {
      let customPlans = options.customPlans === true;
      if (customPlans) await tx.unsafe('SET LOCAL plan_cache_mode = force_custom_plan');
      return driveAsync(program(), async (op) => {
        if (customPlans && op.kind === 'run') {
          customPlans = false;
          await tx.unsafe('SET LOCAL plan_cache_mode = auto');
        }
        return execute(tx, op);
      });
    })) as T;
  }
}
