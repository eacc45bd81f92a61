import type { CommandContext } from '../command-context.js';
import { parsePeriod } from '../dates.js';
import { exitCodeForStatus } from '../exit-codes.js';
import { followProgress } from '../follow-progress.js';
import { style } from '../output/style.js';
import { renderSyncLog } from '../output/sync-log-view.js';
import { renderTable } from '../output/table.js';

/** Start a manual export through the API, follow it live, print the result (or only preview it). */
export async function exportCommand(
  ctx: CommandContext,
  options: { org: string; from: string; to: string; dryRun?: boolean },
): Promise<number> {
  const { from: periodStart, to: periodEnd } = parsePeriod(options.from, options.to);
  if (options.dryRun) return previewCommand(ctx, { organizationId: options.org, periodStart, periodEnd });
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

/** `export --dry-run`: what the ledger would receive and refuse. Nothing is posted or recorded. */
async function previewCommand(
  ctx: CommandContext,
  input: { organizationId: string; periodStart: string; periodEnd: string },
): Promise<number> {
  const preview = await ctx.client.syncs.preview.query(input);
  ctx.emit(preview);
  const documents = renderTable(
    ['document', 'date', 'account', 'amount', 'currency'],
    preview.documents.flatMap((d) =>
      d.lines.map((line, i) => [
        i === 0 ? d.documentNumber : '',
        i === 0 ? d.postingDate : '',
        line.account,
        line.amount,
        line.currency,
      ]),
    ),
  );
  const rejected = renderTable(
    ['record', 'code', 'reason'],
    preview.rejected.map((r) => [r.recordId, style.red(r.code), r.reason]),
  );
  ctx.say(
    [
      style.bold(`Dry run for ${preview.accountingSystem}: nothing was posted and no sync was recorded.`),
      `${preview.recordsTotal} approved records from ${input.periodStart} to ${input.periodEnd}: ` +
        `${preview.documentCount} documents would be posted, ${preview.rejectedCount} records would be rejected.`,
      '',
      documents,
      ...(preview.rejected.length > 0 ? ['', 'Predicted rejections:', rejected] : []),
      ...(preview.truncated
        ? ['', style.dim('(lists cut at 1,000 entries; --json shows the same cut lists)')]
        : []),
    ].join('\n'),
  );
  return 0;
}
