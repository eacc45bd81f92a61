import type { CommandContext } from '../command-context.js';
import { renderSyncLog } from '../output/sync-log-view.js';
import { renderRejection } from './rejections.js';

/** Shown in full; longer lists point at `meander-sync rejections`. */
const EXPLAINED = 50;

/** One sync log with its error details, and each rejected record's message and fix. */
export async function showCommand(ctx: CommandContext, id: string): Promise<number> {
  const log = await ctx.client.syncLogs.get.query({ id });
  const rejected = log.errorDetails?.recordFailures?.length
    ? (await ctx.client.rejections.list.query({ syncLogId: id })).items
    : [];
  ctx.emit(rejected.length ? { ...log, rejections: rejected } : log);
  if (ctx.json) return 0;
  const organization = await ctx.organizations.get(log.organizationId);
  ctx.say(renderSyncLog(log, { organization, locale: ctx.locale, viewer: ctx.viewer, explained: rejected }));
  if (rejected.length) {
    ctx.say('\nWhat the rejections mean and how to fix them:');
    for (const item of rejected.slice(0, EXPLAINED)) ctx.say(renderRejection(item, ctx.locale));
    if (rejected.length > EXPLAINED)
      ctx.say(`\n… ${rejected.length - EXPLAINED} more: meander-sync rejections ${id} [--csv]`);
  }
  return 0;
}
