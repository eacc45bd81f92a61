import type { CommandContext } from '../command-context.js';
import { finishFollowing } from './export.js';

/**
 * Reverse a success or partial sync: the API records the reversal as a new manual sync linked to
 * it (the worker posts every record's reversing document), and the CLI follows it like an export.
 */
export async function reverseCommand(
  ctx: CommandContext,
  syncLogId: string,
  options: { reason: string },
): Promise<number> {
  const started = await ctx.client.syncs.reverse.mutate({ syncLogId, reason: options.reason });
  ctx.note(
    `Reversal ${started.id} of ${syncLogId} queued: ${started.recordsTotal} posted records to reverse`,
  );
  return finishFollowing(ctx, started.id);
}
