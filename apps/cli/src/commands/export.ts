import { formatZonedDateTime, periodLabel } from '@meander/domain';
import type { CommandContext } from '../command-context.js';
import { resolvePeriod } from '../dates.js';
import { exitCodeForStatus } from '../exit-codes.js';
import { followProgress } from '../follow-progress.js';
import { decimalToMinor, formatMoney } from '../output/money.js';
import { isExpenseLine, renderPlannedDocuments } from '../output/planned-documents.js';
import { style } from '../output/style.js';
import { renderSyncLog } from '../output/sync-log-view.js';
import { renderTable } from '../output/table.js';

/** `export`'s options: the organization, the period (`--period` or `--from/--to`), and the dry run's. */
export interface ExportOptions {
  org: string;
  from?: string;
  to?: string;
  period?: string;
  dryRun?: boolean;
  details?: boolean;
}

/** Start a manual export through the API, follow it live, print the result (or only preview it). */
export async function exportCommand(ctx: CommandContext, options: ExportOptions): Promise<number> {
  resolvePeriod(options, 'UTC'); // usage mistakes are found before the API is asked anything
  const organization = await ctx.organizations.get(options.org);
  const { from: periodStart, to: periodEnd } = resolvePeriod(options, organization.timeZone);
  if (options.dryRun)
    return previewCommand(
      ctx,
      { organizationId: options.org, periodStart, periodEnd },
      Boolean(options.details),
    );
  const started = await ctx.client.syncs.startExport.mutate({
    organizationId: options.org,
    periodStart,
    periodEnd,
  });
  ctx.note(
    `Export ${started.id} queued for ${organization.name}: ${started.recordsTotal} approved records, ${periodLabel(periodStart, periodEnd, organization.timeZone)}`,
  );
  return finishFollowing(ctx, started.id);
}

/** Follow a queued sync to its end and report it with the contract's exit code. */
export async function finishFollowing(ctx: CommandContext, id: string): Promise<number> {
  await followProgress(ctx.client, id, { showBar: ctx.interactive });
  const log = await ctx.client.syncLogs.get.query({ id });
  ctx.emit(log);
  ctx.say(
    renderSyncLog(log, {
      organization: await ctx.organizations.get(log.organizationId),
      locale: ctx.locale,
      viewer: ctx.viewer,
    }),
  );
  return exitCodeForStatus(log.status);
}

type Preview = Awaited<ReturnType<CommandContext['client']['syncs']['preview']['query']>>;

/**
 * The expense side of the documents per currency (the records' G/L lines, VAT included), summed
 * exactly in minor units: the employee or balancing line would cancel the sum out.
 */
export function previewTotals(preview: Pick<Preview, 'documents'>): Map<string, bigint> {
  const totals = new Map<string, bigint>();
  for (const document of preview.documents)
    for (const line of document.lines) {
      if (!isExpenseLine(line)) continue;
      totals.set(
        line.currency,
        (totals.get(line.currency) ?? 0n) + decimalToMinor(line.amount, line.currency),
      );
    }
  return totals;
}

/**
 * `export --dry-run`: a summary (documents, totals, predicted rejections by code); `--details` adds
 * every document line and every predicted rejection. Nothing is posted or recorded.
 */
async function previewCommand(
  ctx: CommandContext,
  input: { organizationId: string; periodStart: string; periodEnd: string },
  details: boolean,
): Promise<number> {
  const preview = await ctx.client.syncs.preview.query(input);
  ctx.emit(preview);
  if (ctx.json) return 0;
  const organization = await ctx.organizations.get(input.organizationId);
  const zone = organization.timeZone;
  const totals = [...previewTotals(preview)].map(([currency, minor]) =>
    formatMoney(minor, currency, ctx.locale),
  );
  const byCode = new Map<string, number>();
  for (const r of preview.rejected) byCode.set(r.code, (byCode.get(r.code) ?? 0) + 1);
  const summary = [
    style.bold(
      `Dry run for ${organization.name} on ${preview.accountingSystem}: nothing was posted and no sync was recorded.`,
    ),
    `  period       ${periodLabel(input.periodStart, input.periodEnd, zone)} (${formatZonedDateTime(input.periodStart, zone)} → ${formatZonedDateTime(input.periodEnd, zone)})`,
    `  records      ${preview.recordsTotal} approved`,
    `  documents    ${preview.documentCount} would be posted${totals.length ? `, total ${totals.join(' + ')}` : ''}${preview.truncated ? ' (total of the first 1,000 listed)' : ''}`,
    `  rejections   ${preview.rejectedCount} predicted${byCode.size ? `: ${[...byCode].map(([code, n]) => `${n} ${style.red(code)}`).join(', ')}` : ''}`,
  ];
  if (!details) {
    ctx.say(
      [...summary, '', style.dim('Every document line and rejection: add --details (or --json).')].join('\n'),
    );
    return 0;
  }
  const documents = renderPlannedDocuments(preview.documents, ctx.locale);
  const rejected = renderTable(
    ['record', 'code', 'reason'],
    preview.rejected.map((r) => [r.recordId, style.red(r.code), r.reason]),
  );
  ctx.say(
    [
      ...summary,
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
