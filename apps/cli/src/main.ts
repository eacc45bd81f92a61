import { createRequire } from 'node:module';
import { Command, CommanderError, Option } from 'commander';
import { createClient } from './client.js';
import { type CommandContext, createCommandContext } from './command-context.js';
import { doctorCommand } from './commands/doctor.js';
import { evidenceCommand } from './commands/evidence.js';
import { type ExportOptions, exportCommand } from './commands/export.js';
import { listCommand } from './commands/list.js';
import { loginCommand } from './commands/login.js';
import { recordsImportCommand } from './commands/records-import.js';
import { rejectionsCommand } from './commands/rejections.js';
import { resyncPlanCommand, resyncRunCommand } from './commands/resync.js';
import { reverseCommand } from './commands/reverse.js';
import { showCommand } from './commands/show.js';
import { statusCommand } from './commands/status.js';
import { verifyCommand } from './commands/verify.js';
import { readCliEnv } from './env.js';
import { CliError, EXIT } from './exit-codes.js';
import { humanizeError } from './humanize-error.js';
import { resolveLocale } from './output/money.js';
import { RECORD_CSV_COLUMNS } from './records/csv-records.js';

interface GlobalOptions {
  apiUrl: string;
  token?: string;
  json?: boolean;
  locale?: string;
}

/** The CLI's version: its package.json, one folder up from both src/ and dist/. */
const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

const cliEnv = (() => {
  try {
    return readCliEnv();
  } catch (error) {
    process.stderr.write(`meander-sync: ${error instanceof Error ? error.message : String(error)}\n`);
    return process.exit(EXIT.usage);
  }
})();

const program = new Command('meander-sync')
  .description(
    'Manual exports, history, re-syncs and audit evidence for Meander accounting syncs (a client of the Meander API).',
  )
  .addOption(
    new Option('--api-url <url>', 'where the Meander API listens (env: MEANDER_API_URL)').default(
      cliEnv.apiUrl,
    ),
  )
  .addOption(new Option('--token <jwt>', 'bearer token, pnpm start prints demo tokens (env: MEANDER_TOKEN)'))
  .option('--json', 'machine-readable output on stdout and nothing else')
  .option('--locale <tag>', 'how money and numbers are written, e.g. nb-NO (default: LANG, else en-GB)')
  .version(VERSION, '-V, --version', 'print the version')
  .showHelpAfterError('(add --help for usage)')
  .showSuggestionAfterError(true)
  .exitOverride();

let exitCode: number = EXIT.ok;

/** Run a command with the shared context, mapping any failure to a message and an exit code. */
function action<A extends unknown[]>(run: (ctx: CommandContext, ...args: A) => Promise<number>) {
  return async (...args: A) => {
    const command = args[args.length - 1] as Command;
    const globals = command.optsWithGlobals() as GlobalOptions;
    const token = globals.token ?? cliEnv.token;
    const ctx = createCommandContext(
      createClient({ apiUrl: globals.apiUrl, token }),
      globals.apiUrl,
      Boolean(globals.json),
      token,
      resolveLocale(globals.locale),
    );
    try {
      exitCode = await run(ctx, ...args);
    } catch (error) {
      const failure = humanizeError(error, globals.apiUrl);
      const usage = failure.exitCode === EXIT.usage ? { domainCode: 'USAGE', exitCode: EXIT.usage } : {};
      if (ctx.json)
        process.stdout.write(
          `${JSON.stringify({ error: { message: failure.message, ...usage, ...(failure.details as object) } }, null, 2)}\n`,
        );
      process.stderr.write(`meander-sync: ${failure.message}\n`);
      exitCode = failure.exitCode;
    }
  };
}

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
const NORDLYS = '11111111-1111-4111-8111-111111111111';

program
  .command('export')
  .description('start a manual export and follow it live; exit 0 success, 3 partial, 1 failed')
  .requiredOption('--org <organizationId>', 'organization to export')
  .option('--period <period>', "this-month | last-month, in the organization's time zone")
  .option('--from <date>', "first day of the period (YYYY-MM-DD in the organization's time zone, inclusive)")
  .option('--to <date>', 'last day of the period (YYYY-MM-DD, inclusive)')
  .option(
    '--dry-run',
    'only preview: a summary of the documents that would be posted and the predicted rejections; nothing is posted or recorded',
  )
  .option('--details', 'with --dry-run: every document line and every predicted rejection')
  .addHelpText(
    'after',
    examples([
      `meander-sync export --org ${NORDLYS} --period last-month`,
      `meander-sync export --org ${NORDLYS} --period this-month --dry-run`,
      `meander-sync export --org ${NORDLYS} --from 2026-10-01 --to 2026-10-31 --dry-run --details`,
    ]),
  )
  .action(action((ctx, options: ExportOptions) => exportCommand(ctx, options)));

program
  .command('list')
  .description('sync history, newest first: one organization, or every organization the token may see')
  .option('--org <organizationId>', 'one organization (default: all the token may see)')
  .option('--status <status>', 'pending | in_progress | success | partial | failed')
  .option('--limit <n>', 'rows per page (1–200)', '50')
  .option('--cursor <cursor>', 'the page after this cursor (printed under a full page)')
  .option('--csv', 'CSV with a header row')
  .addHelpText(
    'after',
    examples([
      'meander-sync list --status failed',
      `meander-sync list --org ${NORDLYS} --status partial`,
      `meander-sync list --org ${NORDLYS} --csv > history.csv`,
    ]),
  )
  .action(
    action(
      (ctx, options: { org?: string; status?: string; limit?: string; csv?: boolean; cursor?: string }) =>
        listCommand(ctx, options),
    ),
  );

const records = program
  .command('records')
  .description("Meander's expense records: hand them over from a file");
records
  .command('import')
  .description(
    'store expense records from a .jsonl or .csv file through expenseRecords.upsert (batches of 1,000); ' +
      'each refused record is reported with its line; exit 1 when any was refused, 2 for usage errors',
  )
  .requiredOption('--org <organizationId>', 'organization the records belong to')
  .argument(
    '<file>',
    'JSON Lines (one ExpenseRecordInput per line) or CSV (one row per record line, see below)',
  )
  .option('--dry-run', 'check every record locally with the domain rules; store nothing')
  .addHelpText(
    'after',
    `${examples([
      `meander-sync records import --org ${NORDLYS} claims.jsonl`,
      `meander-sync records import --org ${NORDLYS} claims.csv --dry-run --json`,
    ])}
CSV layout: a header row with the columns
  ${RECORD_CSV_COLUMNS.join(',')}
(exchangeRate, description, receiptUrl, department, project and costCentre may be left out), then
one row per line of a record. A record's rows are consecutive, share its id and repeat its own
fields (id … receiptUrl). Amounts are integers in minor units (NOK 1 234,50 is 123450).
exchangeRate is a decimal, local-currency units per one unit of currency (11.4835).
`,
  )
  .action(
    action((ctx, file: string, options: { org: string; dryRun?: boolean }) =>
      recordsImportCommand(ctx, file, options),
    ),
  );

program
  .command('login')
  .description(
    'check a bearer token against the API and keep it with the API URL in ~/.config/meander-sync/config.json (mode 0600)',
  )
  .addHelpText(
    'after',
    examples([
      'meander-sync --api-url https://sync.example.com login        # prompts; the token is not echoed',
      'printf %s "$TOKEN" | meander-sync login',
    ]),
  )
  .action(action((ctx) => loginCommand(ctx)));

program
  .command('show')
  .description('one sync log with its error details')
  .argument('<syncLogId>', 'the sync to show')
  .addHelpText('after', examples(['meander-sync show 0f8c…']))
  .action(action((ctx, id: string) => showCommand(ctx, id)));

program
  .command('rejections')
  .description('rejected records of a sync, with the ledger reason, category and fix')
  .argument('<syncLogId>', 'the sync whose rejections to list')
  .option('--csv', 'the rejected items as CSV (streamed from the API) for whoever fixes the master data')
  .addHelpText(
    'after',
    examples(['meander-sync rejections 0f8c…', 'meander-sync rejections 0f8c… --csv > rejected.csv']),
  )
  .action(action((ctx, id: string, options: { csv?: boolean }) => rejectionsCommand(ctx, id, options)));

const resync = program.command('resync').description('re-sync decisions: what failed, and sending it again');
resync
  .command('plan')
  .description('periods whose latest attempt failed or was partial, with the rejected records')
  .requiredOption('--org <organizationId>', 'organization')
  .addHelpText('after', examples([`meander-sync resync plan --org ${NORDLYS}`]))
  .action(action((ctx, options: { org: string }) => resyncPlanCommand(ctx, options)));
resync
  .command('run')
  .description('re-sync a failed or partial sync (a new sync linked to it) and follow it')
  .argument('<syncLogId>', 'the failed or partial sync')
  .option(
    '--confirm-unposted',
    'confirm that its postings Meander could not find (POSTED_NOT_FOUND) are not in the ledger, so they are sent once',
  )
  .addHelpText(
    'after',
    examples(['meander-sync resync run 0f8c…', 'meander-sync resync run 0f8c… --confirm-unposted']),
  )
  .action(
    action((ctx, id: string, options: { confirmUnposted?: boolean }) => resyncRunCommand(ctx, id, options)),
  );

program
  .command('reverse')
  .description(
    'reverse everything a success or partial sync posted (a new sync linked to it, once per sync) and follow it',
  )
  .argument('<syncLogId>', 'the success or partial sync to reverse')
  .requiredOption('--reason <text>', 'why (1–500 characters, kept in the audit trail; no personal data)')
  .addHelpText('after', examples(['meander-sync reverse 0f8c… --reason "Exported to the wrong company"']))
  .action(action((ctx, id: string, options: { reason: string }) => reverseCommand(ctx, id, options)));

program
  .command('status')
  .description('integration health per organization and system (stuck syncs flagged)')
  .option('--org <organizationId>', 'one organization')
  .addHelpText('after', examples(['meander-sync status', `meander-sync status --org ${NORDLYS} --json`]))
  .action(action((ctx, options: { org?: string }) => statusCommand(ctx, options)));

program
  .command('doctor')
  .description(
    "check the organization's ledger connection (read-only); exit 0 when every check passes, 1 otherwise",
  )
  .requiredOption('--org <organizationId>', 'organization')
  .addHelpText(
    'after',
    examples([`meander-sync doctor --org ${NORDLYS}`, `meander-sync doctor --org ${NORDLYS} --json`]),
  )
  .action(action((ctx, options: { org: string }) => doctorCommand(ctx, options)));

program
  .command('verify')
  .description(
    "recompute the organization's tamper-evident hash chain and check it against a signed checkpoint; exit 1 when broken",
  )
  .requiredOption('--org <organizationId>', 'organization')
  .option(
    '--checkpoint <file>',
    'a signed checkpoint you were handed (audit.checkpoint output or an evidence .manifest.json)',
  )
  .addHelpText(
    'after',
    examples([
      `meander-sync verify --org ${NORDLYS}`,
      `meander-sync verify --org ${NORDLYS} --checkpoint evidence.jsonl.manifest.json`,
    ]),
  )
  .action(action((ctx, options: { org: string; checkpoint?: string }) => verifyCommand(ctx, options)));

program
  .command('evidence')
  .description('export sealed records, tombstones and a manifest for auditors')
  .requiredOption('--org <organizationId>', 'organization')
  .requiredOption('--from <date>', 'first day (YYYY-MM-DD) of syncs started')
  .requiredOption('--to <date>', 'last day (YYYY-MM-DD)')
  .requiredOption(
    '--out <file>',
    'rows file (JSON Lines); .tombstones.jsonl and .manifest.json are written beside it',
  )
  .addHelpText(
    'after',
    examples([
      `meander-sync evidence --org ${NORDLYS} --from 2026-01-01 --to 2026-12-31 --out evidence.jsonl`,
    ]),
  )
  .action(
    action((ctx, options: { org: string; from: string; to: string; out: string }) =>
      evidenceCommand(ctx, options),
    ),
  );

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are successes; anything else commander refused is a usage error.
    const ok = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code);
    // --json promises machine-readable stdout, usage mistakes included (commander's text stays on stderr).
    if (!ok && process.argv.includes('--json')) {
      const message = error.message.replace(/^error: /, '');
      process.stdout.write(
        `${JSON.stringify({ error: { message, domainCode: 'USAGE', code: error.code, exitCode: EXIT.usage } }, null, 2)}\n`,
      );
    }
    process.exit(ok ? EXIT.ok : EXIT.usage);
  }
  const failure = error instanceof CliError ? error : humanizeError(error, 'the API');
  process.stderr.write(`meander-sync: ${failure.message}\n`);
  process.exit(failure.exitCode);
}
process.exit(exitCode);
