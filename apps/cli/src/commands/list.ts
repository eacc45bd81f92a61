import { renderCsv, SYNC_LOG_CSV_COLUMNS, type SyncStatus } from '@meander/domain';
import type { CommandContext } from '../command-context.js';
import { UsageError } from '../exit-codes.js';
import { statusText } from '../output/style.js';
import { renderTable } from '../output/table.js';

const STATUSES = ['pending', 'in_progress', 'success', 'partial', 'failed'];
/** History of an organization's syncs, newest first. */
export async function listCommand(
  ctx: CommandContext,
  options: { org: string; status?: string; limit?: string; csv?: boolean; cursor?: string },
): Promise<number> {
  if (options.status && !STATUSES.includes(options.status)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  }
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new UsageError('--limit must be a whole number from 1 to 200');
  const page = await ctx.client.syncLogs.list.query({
    organizationId: options.org,
    limit,
    ...(options.status ? { status: options.status as SyncStatus } : {}),
    ...(options.cursor ? { cursor: options.cursor } : {}),
  });
  if (ctx.json) {
    ctx.emit(page);
    return 0;
  }
  if (options.csv) {
    process.stdout.write(renderCsv(SYNC_LOG_CSV_COLUMNS, page.items));
    return 0;
  }
  if (page.items.length === 0) {
    ctx.say('No syncs match.');
    return 0;
  }
  ctx.say(
    renderTable(
      ['ID', 'STATUS', 'TYPE', 'SYSTEM', 'PERIOD', 'SYNCED', 'FAILED', 'TOTAL', 'STARTED'],
      page.items.map((i) => [
        i.id,
        statusText(i.status),
        i.syncType,
        i.accountingSystem,
        `${i.periodStart.slice(0, 10)}…${i.periodEnd.slice(0, 10)}`,
        String(i.recordsSynced),
        String(i.recordsFailed),
        String(i.recordsTotal),
        i.startedAt.replace('T', ' ').slice(0, 19),
      ]),
    ),
  );
  if (page.nextCursor) ctx.say(`\nMore: meander-sync list --org ${options.org} --cursor ${page.nextCursor}`);
  return 0;
}
