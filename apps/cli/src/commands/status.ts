import type { CommandContext } from '../command-context.js';
import { statusText, style } from '../output/style.js';
import { renderTable } from '../output/table.js';

const pct = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);

/** Health of each organization's integration. */
export async function statusCommand(ctx: CommandContext, options: { org?: string }): Promise<number> {
  const overview = await ctx.client.monitoring.overview.query(
    options.org ? { organizationId: options.org } : {},
  );
  ctx.emit(overview);
  if (overview.length === 0) {
    ctx.say('No syncs recorded yet.');
    return 0;
  }
  ctx.say(
    renderTable(
      ['ORGANIZATION', 'SYSTEM', 'LAST SYNC', 'LAST SUCCESS', 'FAILS IN A ROW', '7D', '30D', 'ACTIVE', ''],
      overview.map((e) => [
        e.organizationId,
        e.accountingSystem,
        e.lastSync
          ? `${statusText(e.lastSync.status)} ${e.lastSync.startedAt.slice(0, 16).replace('T', ' ')}`
          : '—',
        e.lastSuccessAt ? e.lastSuccessAt.slice(0, 16).replace('T', ' ') : '—',
        String(e.consecutiveFailures),
        pct(e.successRate7d),
        pct(e.successRate30d),
        e.activeSync ? `${e.activeSync.status} ${e.activeSync.ageSeconds}s` : '—',
        e.stuck ? style.red('STUCK') : '',
      ]),
    ),
  );
  return 0;
}
