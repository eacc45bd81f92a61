import { periodLabel } from '@meander/domain';
import type { CommandContext } from '../command-context.js';
import { statusText, style } from '../output/style.js';
import { renderTable } from '../output/table.js';
import { finishFollowing } from './export.js';

/** Periods whose latest attempt failed or was partial, with what a re-sync would send. */
export async function resyncPlanCommand(ctx: CommandContext, options: { org: string }): Promise<number> {
  const plan = await ctx.client.resync.plan.query({ organizationId: options.org });
  ctx.emit(plan);
  if (plan.length === 0) {
    ctx.say('Nothing to re-sync: every period’s latest attempt succeeded (or is still running).');
    return 0;
  }
  const { timeZone } = await ctx.organizations.get(options.org);
  ctx.say(
    renderTable(
      ['LATEST SYNC', 'STATUS', 'PERIOD', 'FAILED', 'RE-SEND'],
      plan.map((p) => [
        p.latestSyncLogId,
        statusText(p.latestStatus),
        periodLabel(p.periodStart, p.periodEnd, timeZone),
        String(p.recordsFailed),
        p.wholePeriod ? 'whole period' : `${p.failedRecordIds.length} records`,
      ]),
    ),
  );
  for (const p of plan) {
    if (!p.unverified) continue;
    ctx.say(
      [
        '',
        style.bold(`Posted but not found (${p.unverified.code}) in ${p.latestSyncLogId}:`),
        ...p.unverified.recordIds.map((id) => `  ${id}`),
        `  ${p.unverified.message}`,
        `  fix: ${p.unverified.fix}`,
        `  A re-sync reads these back only; once you are sure they are not in the ledger:`,
        `  meander-sync resync run ${p.latestSyncLogId} --confirm-unposted`,
      ].join('\n'),
    );
  }
  ctx.say(`\nRe-sync one: meander-sync resync run <LATEST SYNC>`);
  return 0;
}

/**
 * Start a re-sync of a failed or partial sync and follow it. `confirmUnposted`: the operator
 * confirms the parent's postings that were never found are not in the ledger, so they are sent once.
 */
export async function resyncRunCommand(
  ctx: CommandContext,
  syncLogId: string,
  options: { confirmUnposted?: boolean } = {},
): Promise<number> {
  const started = await ctx.client.resync.start.mutate({
    syncLogId,
    ...(options.confirmUnposted ? { confirmUnposted: true } : {}),
  });
  ctx.note(
    `Re-sync ${started.id} of ${syncLogId} queued: ${started.recordsTotal} records` +
      (options.confirmUnposted
        ? ' (postings not found confirmed not in the ledger: they are sent once)'
        : ''),
  );
  return finishFollowing(ctx, started.id);
}
