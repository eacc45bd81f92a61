import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import type { CommandContext } from '../command-context.js';
import { parsePeriod } from '../dates.js';
import { CliError, EXIT, UsageError } from '../exit-codes.js';
import { style } from '../output/style.js';

/** The output folder must exist: name it rather than fail with a bare ENOENT halfway through. */
async function requireDirectory(out: string): Promise<void> {
  const folder = dirname(resolve(out));
  const found = await stat(folder).catch(() => null);
  if (!found?.isDirectory()) throw new UsageError(`--out: the folder ${folder} does not exist`);
}

/**
 * Evidence for auditors: the sealed rows as JSON Lines in `<out>`, the tombstones in
 * `<out>.tombstones.jsonl`, and `<out>.manifest.json` with the chain head, the signed checkpoint,
 * counts, the rows file's SHA-256 and the hashing recipe. Pages through the API; never holds the
 * whole export in memory. Access is checked (first page) before any file is created; a chain that
 * does not verify still gets its evidence written, and the command exits 1 saying so.
 */
export async function evidenceCommand(
  ctx: CommandContext,
  options: { org: string; from: string; to: string; out: string },
): Promise<number> {
  parsePeriod(options.from, options.to); // usage mistakes are found before the API is asked anything
  // Days of the organization's calendar, as every other --from/--to.
  const { from, to } = parsePeriod(
    options.from,
    options.to,
    (await ctx.organizations.get(options.org)).timeZone,
  );
  await requireDirectory(options.out);
  const query = (cursor?: number) =>
    ctx.client.audit.evidence.query({
      organizationId: options.org,
      from,
      to,
      ...(cursor === undefined ? {} : { cursor }),
    });
  const first = await query();
  const rowsFile = createWriteStream(options.out, { encoding: 'utf8' });
  const digest = createHash('sha256');
  let rows = 0;
  let page: Awaited<ReturnType<typeof query>> | null = first;
  while (page) {
    for (const row of page.rows) {
      const line = `${JSON.stringify(row)}\n`;
      digest.update(line);
      if (!rowsFile.write(line)) await new Promise<void>((r) => rowsFile.once('drain', () => r()));
      rows += 1;
    }
    ctx.note(`  ${rows} rows written…`);
    page = page.nextCursor === null ? null : await query(page.nextCursor);
  }
  rowsFile.end();
  await finished(rowsFile);
  const tombstones = first.tombstones ?? [];
  await writeFile(
    `${options.out}.tombstones.jsonl`,
    tombstones.map((t) => `${JSON.stringify(t)}\n`).join(''),
  );
  const manifest = {
    ...first.manifest,
    files: {
      rows: { path: options.out, count: rows, sha256: digest.digest('hex') },
      tombstones: { path: `${options.out}.tombstones.jsonl`, count: tombstones.length },
    },
  };
  await writeFile(`${options.out}.manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  ctx.say(
    `Wrote ${rows} sealed rows to ${options.out}, ${tombstones.length} tombstones, and ${options.out}.manifest.json`,
  );
  if (first.manifest && !first.manifest.chainVerified) {
    // With --json the error object is the one document on stdout; it names the manifest.
    const breaks = first.manifest.breaks;
    throw new CliError(
      `${style.red('✗')} the chain does NOT verify (${breaks.length} problem(s)); the evidence shows it as it is:\n${breaks
        .map((b) => `  #${b.chainSeq}  ${b.kind}  ${b.message}`)
        .join('\n')}`,
      EXIT.error,
      { domainCode: 'CHAIN_BROKEN', breaks, manifest: `${options.out}.manifest.json` },
    );
  }
  ctx.emit(manifest);
  return EXIT.ok;
}
