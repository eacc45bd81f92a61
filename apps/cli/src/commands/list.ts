import {
  formatZonedDateTime,
  periodLabel,
  renderCsv,
  SYNC_LOG_CSV_COLUMNS,
  type SyncLog,
  type SyncStatus,
} from '@meander/domain';
import type { CommandContext } from '../command-context.js';
import { UsageError } from '../exit-codes.js';
import type { OrganizationInfo } from '../organizations.js';
import { statusText } from '../output/style.js';
import { renderTable } from '../output/table.js';

const STATUSES = ['pending', 'in_progress', 'success', 'partial', 'failed'];
export interface ListOptions {
  org?: string;
  status?: string;
  limit?: string;
  csv?: boolean;
  cursor?: string;
}

/**
 * Sync history, newest first: one organization's (`--org`, pages with `--cursor`), or without
 * `--org` the newest `--limit` across every organization the token may see.
 */
export async function listCommand(ctx: CommandContext, options: ListOptions): Promise<number> {
  if (options.status && !STATUSES.includes(options.status)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  }
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new UsageError('--limit must be a whole number from 1 to 200');
  if (options.cursor && !options.org) throw new UsageError('--cursor pages one organization: give --org too');
  const pageOf = (organizationId: string) =>
    ctx.client.syncLogs.list.query({
      organizationId,
      limit,
      ...(options.status ? { status: options.status as SyncStatus } : {}),
      ...(options.cursor ? { cursor: options.cursor } : {}),
    });
  const organizations = options.org
    ? [await ctx.organizations.get(options.org)]
    : await ctx.organizations.list();
  const pages = await Promise.all(organizations.map((o) => pageOf(options.org ?? o.id)));
  const items = pages
    .flatMap((p) => p.items)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id))
    .slice(0, limit);
  const page = { items, nextCursor: options.org ? (pages[0]?.nextCursor ?? null) : null };
  if (ctx.json) {
    ctx.emit(page);
    return 0;
  }
  const byId = new Map(organizations.map((o) => [o.id.toLowerCase(), o]));
  const organizationOf = (log: SyncLog): OrganizationInfo =>
    byId.get(log.organizationId.toLowerCase()) ?? {
      id: log.organizationId,
      name: log.organizationId,
      timeZone: 'UTC',
    };
  if (options.csv) {
    // The product's one history column list, plus the organization's name across organizations.
    process.stdout.write(
      options.org
        ? renderCsv(SYNC_LOG_CSV_COLUMNS, page.items)
        : renderCsv(
            [...SYNC_LOG_CSV_COLUMNS, 'organizationName'],
            page.items.map((i) => ({ ...i, organizationName: organizationOf(i).name })),
          ),
    );
    return 0;
  }
  if (page.items.length === 0) {
    ctx.say('No syncs match.');
    return 0;
  }
  ctx.say(
    renderTable(
      ['ID', 'ORGANIZATION', 'STATUS', 'TYPE', 'SYSTEM', 'PERIOD', 'SYNCED', 'FAILED', 'TOTAL', 'STARTED'],
      page.items.map((i) => {
        const org = organizationOf(i);
        return [
          i.id,
          org.name,
          statusText(i.status),
          i.syncType,
          i.accountingSystem,
          periodLabel(i.periodStart, i.periodEnd, org.timeZone),
          String(i.recordsSynced),
          String(i.recordsFailed),
          String(i.recordsTotal),
          formatZonedDateTime(i.startedAt, org.timeZone),
        ];
      }),
    ),
  );
  if (page.nextCursor) ctx.say(`\nMore: meander-sync list --org ${options.org} --cursor ${page.nextCursor}`);
  return 0;
}
