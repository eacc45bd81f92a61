import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Database, NewExpenseRecord } from '@meander/db';
import type { AccountingConnection } from '@meander/domain';

const ROOT = resolve(import.meta.dirname, '../../../..');

/** A real worker process, as `pnpm --filter @meander/worker start` runs it, on `databaseUrl`. */
export function spawnWorkerProcess(databaseUrl: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(
    process.execPath,
    ['--conditions=@meander/source', '--import', 'tsx', join(ROOT, 'apps/worker/src/main.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        MIGRATE_ON_START: 'false',
        LOG_LEVEL: 'silent',
        ...env,
      },
      stdio: 'ignore',
    },
  );
}

/** Peak resident set of a live process, from the kernel (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
}

/**
 * A new organization on `connection` with `count` approved expense records in October 2026,
 * inserted 5,000 at a time so seeding a large period never holds it all in memory.
 */
export async function seedLargePeriod(
  db: Database,
  connection: AccountingConnection,
  count: number,
): Promise<string> {
  const org = await db.organizations.create({ name: `Large period ${count}` });
  await db.organizations.configureAccounting({
    organizationId: org.id,
    enabled: true,
    config: { accountingSystem: 'xledger', connection },
  });
  const chunk: NewExpenseRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    chunk.push({
      organizationId: org.id,
      kind: 'expense_claim',
      amountMinor: 100 + (i % 9_000),
      currency: 'NOK',
      bookingDate: `2026-10-${String((i % 28) + 1).padStart(2, '0')}`,
      account: '7100',
      approvalState: 'approved',
      description: 'Hotel night, conference',
    });
    if (chunk.length === 5_000) await db.expenseRecords.insertMany(chunk.splice(0));
  }
  await db.expenseRecords.insertMany(chunk.splice(0));
  return org.id;
}
