import { statSync } from 'node:fs';
import { checkExpenseRecordInput, type ExpenseRecordIssue, MAX_UPSERT_RECORDS } from '@meander/domain';
import cliProgress from 'cli-progress';
import type { CommandContext } from '../command-context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { formatOf, recordsOf } from '../records/record-file.js';

/** One refused line of the file, as `--json` reports it. */
interface RefusedLine {
  line: number;
  id: string | null;
  issues: ExpenseRecordIssue[];
}

/** What an import did. */
interface ImportSummary {
  file: string;
  dryRun: boolean;
  records: number;
  upserted: number;
  unchanged: number;
  /** Good records of a dry run (checked locally, nothing sent). */
  valid: number;
  refused: RefusedLine[];
}

/**
 * The API refuses request bodies over 1 MiB (the default maxBodyBytes of the API): a batch is sent before its JSON
 * passes this budget, whatever its count (a record of 50 lines weighs ~5 KB).
 */
const BATCH_BYTES = 768 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `records import`: read a JSON Lines or CSV file of expense records, check each with the domain's
 * own schema, and hand the good ones to `expenseRecords.upsert` in batches of at most 1,000 (the
 * server checks them again and decides). Every refused record is reported with the line it starts on.
 * `--dry-run` checks locally and sends nothing. Exit 1 when any record was refused.
 */
export async function recordsImportCommand(
  ctx: CommandContext,
  file: string,
  options: { org: string; dryRun?: boolean },
): Promise<number> {
  if (!UUID.test(options.org))
    throw new UsageError(`--org must be an organization id (a UUID), got ${options.org}`);
  const format = formatOf(file);
  if (!format) throw new UsageError(`${file}: records import reads .jsonl or .csv files`);
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    throw new UsageError(
      `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  const summary: ImportSummary = {
    file,
    dryRun: Boolean(options.dryRun),
    records: 0,
    upserted: 0,
    unchanged: 0,
    valid: 0,
    refused: [],
  };
  const bar = ctx.interactive
    ? new cliProgress.SingleBar(
        {
          format: ' {bar} {percentage}% | {records} records | {refused} refused',
          hideCursor: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(Math.max(size, 1), 0, { records: 0, refused: 0 });
  let batch: { line: number; id: string; value: unknown }[] = [];
  let batchBytes = 0;
  const send = async () => {
    if (batch.length === 0) return;
    const sent = batch;
    batch = [];
    batchBytes = 0;
    const result = await ctx.client.expenseRecords.upsert.mutate({
      organizationId: options.org,
      records: sent.map((r) => r.value),
    });
    summary.upserted += result.upserted;
    summary.unchanged += result.unchanged;
    const lineOf = new Map(sent.map((r) => [r.id.toLowerCase(), r.line]));
    for (const r of result.rejected)
      summary.refused.push({
        line: (r.id && lineOf.get(r.id.toLowerCase())) || 0,
        id: r.id,
        issues: r.issues,
      });
  };
  try {
    for await (const candidate of recordsOf(file, format, (bytes) => bar?.update(bytes))) {
      summary.records += 1;
      if (candidate.issues)
        summary.refused.push({ line: candidate.line, id: candidate.id, issues: candidate.issues });
      else {
        const verdict = checkExpenseRecordInput(candidate.value);
        const rawId = (candidate.value as { id?: unknown } | null)?.id;
        if (!verdict.ok)
          summary.refused.push({
            line: candidate.line,
            id: typeof rawId === 'string' ? rawId : null,
            issues: verdict.issues,
          });
        else if (options.dryRun) summary.valid += 1;
        else {
          const bytes = JSON.stringify(candidate.value).length + 1;
          if (batchBytes + bytes > BATCH_BYTES) await send();
          batch.push({ line: candidate.line, id: verdict.record.id, value: candidate.value });
          batchBytes += bytes;
          if (batch.length >= MAX_UPSERT_RECORDS) await send();
        }
      }
      bar?.update({ records: summary.records, refused: summary.refused.length });
    }
    await send();
  } catch (error) {
    if (error instanceof Error && /CSV (column|header)|the CSV header/.test(error.message))
      throw new UsageError(`${file}: ${error.message}`);
    throw error;
  } finally {
    bar?.update(Math.max(size, 1));
    bar?.stop();
  }
  summary.refused.sort((a, b) => a.line - b.line);
  ctx.emit(summary);
  ctx.say(renderSummary(summary));
  return summary.refused.length > 0 ? EXIT.error : EXIT.ok;
}

function renderSummary(s: ImportSummary): string {
  const head = s.dryRun
    ? `Dry run: ${s.records} records read, ${s.valid} valid, ${s.refused.length} refused; nothing was stored.`
    : `${s.records} records read: ${s.upserted} stored, ${s.unchanged} unchanged, ${s.refused.length} refused.`;
  const refused = s.refused.flatMap((r) =>
    r.issues.map(
      (i) => `  line ${r.line}${r.id ? ` (${r.id})` : ''}: ${i.rule} ${i.path.join('.')}: ${i.message}`,
    ),
  );
  return [head, ...(refused.length > 0 ? ['Refused:', ...refused] : [])].join('\n');
}
