import type { CommandContext } from '../command-context.js';
import { renderSyncLog } from '../output/sync-log-view.js';

/** One sync log with its error details. */
export async function showCommand(ctx: CommandContext, id: string): Promise<number> {
  const log = await ctx.client.syncLogs.get.query({ id });
  ctx.emit(log);
  ctx.say(renderSyncLog(log));
  return 0;
}
