import type { CommandContext } from '../command-context.js';
import { parsePeriod } from '../dates.js';
import { exitCodeForStatus } from '../exit-codes.js';
import { followProgress } from '../follow-progress.js';
import { renderSyncLog } from '../output/sync-log-view.js';

/** Start a manual export through the API, follow it live, print the result. */
export async function exportCommand(
  ctx: CommandContext,
  options: { org: string; from: string; to: string },
): Promise<number> {
  const { from: periodStart, to: periodEnd } = parsePeriod(options.from, options.to);
  const started = await ctx.client.syncs.startExport.mutate({
    organizationId: options.org,
    periodStart,
    periodEnd,
  });
  ctx.note(
    `Export ${started.id} queued: ${started.recordsTotal} approved records from ${periodStart} to ${periodEnd}`,
  );
  return finishFollowing(ctx, started.id);
}

/** Follow a queued sync to its end and report it with the contract's exit code. */
export async function finishFollowing(ctx: CommandContext, id: string): Promise<number> {
  await followProgress(ctx.client, id, { showBar: ctx.interactive });
  const log = await ctx.client.syncLogs.get.query({ id });
  ctx.emit(log);
  ctx.say(renderSyncLog(log));
  return exitCodeForStatus(log.status);
}
