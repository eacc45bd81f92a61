import { formatZonedDateTime } from '@meander/domain';
import { assertCheckpointSignature, readCheckpointFile } from '../checkpoint-file.js';
import type { CommandContext } from '../command-context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { style } from '../output/style.js';

/**
 * Recompute the organization's hash chain and check it against a signed checkpoint: the product's
 * newest, or the one in `--checkpoint <file>` (checked locally first). Exit 1 when anything is wrong.
 */
export async function verifyCommand(
  ctx: CommandContext,
  options: { org: string; checkpoint?: string },
): Promise<number> {
  const checkpoint = options.checkpoint ? await readCheckpointFile(options.checkpoint) : undefined;
  if (checkpoint) {
    if (checkpoint.organizationId !== options.org) {
      throw new UsageError(
        `--checkpoint is for organization ${checkpoint.organizationId}, not --org ${options.org}`,
      );
    }
    assertCheckpointSignature(checkpoint);
  }
  const result = await ctx.client.audit.verify.query({ organizationId: options.org, checkpoint });
  ctx.emit(result);
  if (ctx.json) return result.ok ? EXIT.ok : EXIT.error;
  const { timeZone } = await ctx.organizations.get(options.org);
  const against = result.checkpoint
    ? `checkpoint #${result.checkpoint.seq} signed ${formatZonedDateTime(result.checkpoint.at, timeZone)} (key ${result.checkpoint.keyId || 'given'})`
    : 'no checkpoint';
  if (result.ok) {
    ctx.say(
      `${style.green('✓')} chain intact: ${result.checked} sealed records verified${result.head ? `, head #${result.head.chainSeq} ${result.head.chainHash}` : ''}; matches ${against}`,
    );
    if (result.unsignedLinks > 0) ctx.say(`  ${result.unsignedLinks} record(s) sealed after that checkpoint`);
    for (const w of result.warnings) ctx.say(`  ${style.yellow('!')} ${w}`);
    return EXIT.ok;
  }
  ctx.say(
    `${style.red('✗')} chain BROKEN: ${result.breaks.length} problem(s) in ${result.checked} records (${against})`,
  );
  for (const b of result.breaks) ctx.say(`  #${b.chainSeq}  ${b.kind}  ${b.message}`);
  for (const w of result.warnings) ctx.say(`  ${style.yellow('!')} ${w}`);
  return EXIT.error;
}
