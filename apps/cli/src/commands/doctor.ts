import type { CommandContext } from '../command-context.js';
import { EXIT } from '../exit-codes.js';
import { style } from '../output/style.js';

/**
 * Check an organization's ledger connection with read-only calls (organizations.checkConnection):
 * one line per check; exit 0 when every check passes, 1 otherwise.
 */
export async function doctorCommand(ctx: CommandContext, options: { org: string }): Promise<number> {
  const report = await ctx.client.organizations.checkConnection.query({ organizationId: options.org });
  ctx.emit(report);
  for (const check of report.checks) {
    const mark = check.ok ? style.green('ok  ') : style.red('FAIL');
    ctx.say(`${mark}  ${check.name.padEnd(18)} ${check.message}`);
  }
  ctx.say(report.ok ? style.green('Every check passed.') : style.red('Some checks failed: see FAIL above.'));
  return report.ok ? EXIT.ok : EXIT.error;
}
