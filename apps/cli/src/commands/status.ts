import { formatZonedDateTime } from '@meander/domain';
import type { CommandContext } from '../command-context.js';
import { statusText, style } from '../output/style.js';
import { renderTable } from '../output/table.js';

const pct = (rate: number | null) => (rate === null ? '—' : `${Math.round(rate * 100)}%`);

/** Health of each organization's integration, by name, with times in the organization's zone. */
export async function statusCommand(ctx: CommandContext, options: { org?: string }): Promise<number> {
  const scope = options.org ? { organizationId: options.org } : {};
  const overview = await ctx.client.monitoring.overview.query(scope);
  ctx.emit(overview);
  if (ctx.json) return 0;
  // The overview derives health (and so the next run) for one organization only; ask for all.
  const nextRuns = new Map(
    (await ctx.client.monitoring.health.query(scope)).map((h) => [
      `${h.organizationId}|${h.accountingSystem}`,
      h.nextRunAt,
    ]),
  );
  if (overview.length === 0) {
    ctx.say('No syncs recorded yet.');
    return 0;
  }
  const rows = await Promise.all(
    overview.map(async (e) => {
      const org = await ctx.organizations.get(e.organizationId);
      const at = (instant: string | null | undefined) =>
        instant ? formatZonedDateTime(instant, org.timeZone) : '—';
      return [
        org.name,
        e.accountingSystem,
        e.lastSync ? `${statusText(e.lastSync.status)} ${at(e.lastSync.startedAt)}` : '—',
        at(e.lastSuccessAt),
        at(nextRuns.get(`${e.organizationId}|${e.accountingSystem}`) ?? e.health?.nextRunAt),
        String(e.consecutiveFailures),
        pct(e.successRate7d),
        pct(e.successRate30d),
        e.activeSync ? `${e.activeSync.status} ${e.activeSync.ageSeconds}s` : '—',
        e.stuck ? style.red('STUCK') : '',
      ];
    }),
  );
  ctx.say(
    renderTable(
      [
        'ORGANIZATION',
        'SYSTEM',
        'LAST SYNC',
        'LAST SUCCESS',
        'NEXT RUN',
        'FAILS IN A ROW',
        '7D',
        '30D',
        'ACTIVE',
        '',
      ],
      rows,
    ),
  );
  return 0;
}
