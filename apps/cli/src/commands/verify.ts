import type { CommandContext } from '../command-context.js';
import { EXIT } from '../exit-codes.js';
import { style } from '../output/style.js';

/** Recompute the organization's hash chain; exit 1 when it is broken. */
export async function verifyCommand(ctx: CommandContext, options: { org: string }): Promise<number> {
  const result = await ctx.client.audit.verify.query({ organizationId: options.org });
  ctx.emit(result);
  if (result.ok) {
    ctx.say(
      `${style.green('✓')} chain intact: ${result.checked} sealed records verified${result.head ? `, head #${result.head.chainSeq} ${result.head.chainHash}` : ''}`,
    );
    return EXIT.ok;
  }
  ctx.say(`${style.red('✗')} chain BROKEN: ${result.breaks.length} break(s) in ${result.checked} records`);
  for (const b of result.breaks) ctx.say(`  #${b.chainSeq}  ${b.kind}  ${b.syncLogId ?? '(no row)'}`);
  return EXIT.error;
}
