import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { CommandContext } from '../command-context.js';
import { parsePeriodBound } from '../dates.js';

/**
 * Evidence for auditors: the sealed rows as JSON Lines in `<out>`, the tombstones in
 * `<out>.tombstones.jsonl`, and `<out>.manifest.json` with the chain head, counts, the rows file's
 * SHA-256 and the hashing recipe. Pages through the API; never holds the whole export in memory.
 */
export async function evidenceCommand(
  ctx: CommandContext,
  options: { org: string; from: string; to: string; out: string },
): Promise<number> {
  const from = parsePeriodBound(options.from, 'start', '--from');
  const to = parsePeriodBound(options.to, 'end', '--to');
  const rowsFile = createWriteStream(options.out, { encoding: 'utf8' });
  const digest = createHash('sha256');
  let cursor: number | undefined;
  let rows = 0;
  let first: Awaited<ReturnType<typeof ctx.client.audit.evidence.query>> | null = null;
  do {
    const page = await ctx.client.audit.evidence.query({
      organizationId: options.org,
      from,
      to,
      ...(cursor === undefined ? {} : { cursor }),
    });
    first ??= page;
    for (const row of page.rows) {
      const line = `${JSON.stringify(row)}\n`;
      digest.update(line);
      if (!rowsFile.write(line)) await new Promise<void>((r) => rowsFile.once('drain', () => r()));
      rows += 1;
    }
    cursor = page.nextCursor ?? undefined;
    ctx.note(`  ${rows} rows written…`);
  } while (cursor !== undefined);
  rowsFile.end();
  await finished(rowsFile);
  const tombstones = first?.tombstones ?? [];
  await writeFile(
    `${options.out}.tombstones.jsonl`,
    tombstones.map((t) => `${JSON.stringify(t)}\n`).join(''),
  );
  const manifest = {
    ...first?.manifest,
    files: {
      rows: { path: options.out, count: rows, sha256: digest.digest('hex') },
      tombstones: { path: `${options.out}.tombstones.jsonl`, count: tombstones.length },
    },
  };
  await writeFile(`${options.out}.manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  ctx.emit(manifest);
  ctx.say(
    `Wrote ${rows} sealed rows to ${options.out}, ${tombstones.length} tombstones, and ${options.out}.manifest.json`,
  );
  return 0;
}
