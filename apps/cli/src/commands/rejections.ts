import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CommandContext } from '../command-context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { decimalToMinor, formatMoney } from '../output/money.js';
import { style } from '../output/style.js';

/** The rejected records of a sync with the catalogue's explanation: list, or the API's CSV streamed to stdout. */
export async function rejectionsCommand(
  ctx: CommandContext,
  id: string,
  options: { csv?: boolean },
): Promise<number> {
  if (options.csv) {
    const response = await fetch(
      `${ctx.apiUrl.replace(/\/$/, '')}/sync-logs/${encodeURIComponent(id)}/rejections.csv`,
      {
        headers: ctx.token ? { authorization: `Bearer ${ctx.token}` } : {},
      },
    );
    if (!response.ok || !response.body) {
      const body = (await response.json().catch(() => null)) as { message?: string } | null;
      throw new CliError(body?.message ?? `The API answered HTTP ${response.status}`, EXIT.error);
    }
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
      process.stdout,
    );
    return EXIT.ok;
  }
  const result = await ctx.client.rejections.list.query({ syncLogId: id });
  ctx.emit(result);
  if (result.items.length === 0) {
    ctx.say(`Sync ${result.syncLogId} (${result.status}) has no rejected records.`);
    return EXIT.ok;
  }
  ctx.say(
    `${style.bold(`${result.items.length} rejected record(s)`)} of sync ${result.syncLogId} (${result.accountingSystem}, ${result.status})${result.truncated ? ' — list truncated, re-sync the whole period' : ''}`,
  );
  for (const item of result.items) ctx.say(renderRejection(item, ctx.locale));
  return EXIT.ok;
}

/** One rejected record for a person: what it is, what the ledger said, what it means, what to do. */
export function renderRejection(
  item: {
    recordId: string;
    category: string;
    code: string;
    message: string;
    fix: string;
    vendorCode: string;
    vendorReason: string;
    bookingDate?: string | null;
    amount?: string | null;
    currency?: string | null;
    account?: string | null;
  },
  locale = 'en-GB',
): string {
  const amount = (value: string, currency: string | null | undefined) => {
    if (!currency) return value;
    try {
      return formatMoney(decimalToMinor(value, currency), currency, locale);
    } catch {
      return `${value} ${currency}`; // an amount with more decimals than the currency takes: as given
    }
  };
  const expense = item.amount
    ? `  ${item.bookingDate ?? ''} ${amount(item.amount, item.currency)} account ${item.account ?? ''}`
    : '';
  return [
    '',
    // Named as everywhere else: the catalogue's code, its category in parentheses.
    `${item.recordId}  ${style.yellow(`${item.code} (${item.category})`)}${expense}`,
    `  ${item.message}`,
    `  ${style.bold('fix:')} ${item.fix}`,
    `  ledger said: ${item.vendorCode ? `${item.vendorCode} — ` : ''}${item.vendorReason}`,
  ].join('\n');
}
