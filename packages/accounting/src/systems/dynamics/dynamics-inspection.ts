import { isObject } from '../../http/json-body.js';
import { AccountingError, type ConnectionCheckItem, type ConnectionReport } from '../../port.js';
import { type DynamicsApi, getJson } from './dynamics-api.js';
import type { DynamicsConnection } from './dynamics-connection.js';
import { findJournal } from './dynamics-journal.js';
import { postingModelChecks } from './dynamics-posting-checks.js';
import type { DynamicsPreflight } from './dynamics-preflight.js';
import type { DynamicsTokenProvider } from './dynamics-token-provider.js';

/**
 * Read-only checks: credentials, company, journal batch, balancing account, local currency.
 * A missing setting is a failing check that names the key.
 */
export async function inspectConnection(
  api: DynamicsApi,
  tokens: DynamicsTokenProvider,
  preflight: DynamicsPreflight,
  signal?: AbortSignal,
): Promise<ConnectionReport> {
  const checks: ConnectionCheckItem[] = [];
  const add = (name: string, ok: boolean, message: string) => checks.push({ name, ok, message });

  try {
    await tokens.token(signal);
    add('credentials', true, `Entra ID issued a token for client ${api.connection.clientId}`);
  } catch (error) {
    add('credentials', false, `Entra ID refused the client credentials: ${failureText(error)}`);
  }
  const credentialsOk = checks[0]?.ok === true;
  const skipped = 'not checked: the credentials were refused';

  let companyOk = false;
  if (!credentialsOk) add('company', false, skipped);
  else {
    try {
      const company = await getJson(api, api.client.companyPath, signal);
      const name = isObject(company) && typeof company.name === 'string' ? company.name : '';
      add('company', true, `Company ${api.connection.companyId} (${name}) is reachable`);
      companyOk = true;
    } catch (error) {
      add('company', false, `Company ${api.connection.companyId} (setting companyId): ${failureText(error)}`);
    }
  }
  const notReached = credentialsOk ? 'not checked: the company was not found' : skipped;

  if (!companyOk) add('journal', false, notReached);
  else {
    try {
      const id = await findJournal(api, signal);
      add(
        'journal',
        true,
        id
          ? `Journal batch ${api.connection.journalName} exists (${id})`
          : `Journal batch ${api.connection.journalName} does not exist yet; the first export creates it`,
      );
    } catch (error) {
      add(
        'journal',
        false,
        `Journal batch ${api.connection.journalName} (setting journalName): ${failureText(error)}`,
      );
    }
  }

  checks.push(await balancingAccountCheck(api, preflight, companyOk ? undefined : notReached, signal));

  if (!companyOk) add('local_currency', false, notReached);
  else {
    try {
      const currency = await preflight.localCurrency(signal);
      const source = api.connection.localCurrency ? 'setting localCurrency' : 'companyInformation';
      add('local_currency', true, `Local currency ${currency} (from ${source})`);
    } catch (error) {
      add('local_currency', false, `Local currency (setting localCurrency): ${failureText(error)}`);
    }
  }
  // Only an organization that set up the posting model gets its checks: one still on the single
  // balancing account of earlier versions sees the same report as before.
  const { vatCodes, dimensions, employeeCredit } = api.connection;
  if (vatCodes !== undefined || dimensions !== undefined || employeeCredit !== undefined) {
    if (!companyOk) add('posting_model', false, notReached);
    else checks.push(...(await postingModelChecks(api, preflight.masterData, signal)));
  }
  checks.push(...unexposedBatchSettings(api.connection));
  return { ok: checks.every((c) => c.ok), checks };
}

/** The balancing account: configured, and (a G/L account, once the company is reached) in the chart and not blocked. */
async function balancingAccountCheck(
  api: DynamicsApi,
  preflight: DynamicsPreflight,
  notReached: string | undefined,
  signal: AbortSignal | undefined,
): Promise<ConnectionCheckItem> {
  const name = 'balancing_account';
  const balancing = api.connection.balancingAccountNumber;
  if (balancing === undefined) {
    return {
      name,
      ok: false,
      message:
        'No balancing account: set balancingAccountNumber in the connection settings (the contra account of every expense line, e.g. employee payables)',
    };
  }
  if (notReached !== undefined) return { name, ok: false, message: notReached };
  if (api.connection.balancingAccountType === 'Bank Account') {
    return {
      name,
      ok: true,
      message: `Balancing bank account ${balancing} is configured (not checked: API v2.0 lists G/L accounts only)`,
    };
  }
  const setting = `Balancing account ${balancing} (setting balancingAccountNumber)`;
  try {
    const account = (await preflight.accounts([balancing], signal)).get(balancing);
    if (account === undefined)
      return { name, ok: false, message: `${setting} is not in the chart of accounts` };
    if (account.blocked) return { name, ok: false, message: `${setting} is blocked` };
    return { name, ok: true, message: `Balancing account ${balancing} (${account.displayName}) exists` };
  } catch (error) {
    return { name, ok: false, message: `Balancing account ${balancing}: ${failureText(error)}` };
  }
}

function failureText(error: unknown): string {
  return error instanceof AccountingError ? error.message : String(error);
}

/**
 * The batch and General Ledger Setup settings API v2.0 does not expose (the `journals` entity has
 * neither No. Series field — BCApps `APIV2Journals.Page.al`; General Ledger Setup and User Setup are
 * not API v2.0 entities), each with how the product copes. Informational: they pass, because the
 * product is right whichever way they are set; the message says what happens.
 */
function unexposedBatchSettings(connection: DynamicsConnection): ConnectionCheckItem[] {
  const batch = connection.journalName;
  const range =
    connection.allowPostingFrom || connection.allowPostingTo
      ? `the pre-flight uses allowPostingFrom/allowPostingTo from the connection settings (${connection.allowPostingFrom ?? '…'} – ${connection.allowPostingTo ?? '…'}); keep them equal to General Ledger Setup and your integration user's User Setup`
      : 'set allowPostingFrom/allowPostingTo in the connection settings to let the pre-flight refuse such dates before posting; without them, Business Central refuses the record at posting and Meander reports it failed';
  return [
    {
      name: 'batch_no_series',
      ok: true,
      message: `Not visible through API v2.0: the No. Series of journal batch ${batch}. A batch Meander creates has none; one made in the UI takes its template's. If it does not allow manual numbers, posting refuses Meander's document numbers: the export then fails before anything is posted (NO_SERIES_MANUAL_NOT_ALLOWED) and Meander removes its lines again — clear the batch's No. Series or tick "Manual Nos.".`,
    },
    {
      name: 'batch_posting_no_series',
      ok: true,
      message: `Not visible through API v2.0: the Posting No. Series of journal batch ${batch}. If set, posting renumbers the documents; Meander finds its postings by the key at the start of each G/L entry's description, so every record is still posted once and the export succeeds.`,
    },
    {
      name: 'post_with_job_queue',
      ok: true,
      message: `Not visible through API v2.0: General Ledger Setup "Post with Job Queue". If on, G/L entries appear only when the job runs; Meander waits up to ${connection.postingWaitSeconds} s (setting postingWaitSeconds) and reports records not found by then as unverified (POSTED_NOT_FOUND): never posted again, settled by a later re-sync once the entries are there.`,
    },
    {
      name: 'allowed_posting_dates',
      ok: true,
      message: `Not visible through API v2.0: the allowed posting dates of General Ledger Setup and User Setup; ${range}.`,
    },
    {
      name: 'copy_vat_setup',
      ok: true,
      message:
        connection.vatCodes === undefined
          ? `Not visible through API v2.0: journal batch ${batch}'s "Copy VAT Setup to Jnl. Lines". If on and an expense account has a VAT posting setup, Business Central splits VAT into entries of their own; Meander still finds each record by its key and takes the entry on the record's account as its id.`
          : `Not visible through API v2.0: journal batch ${batch}'s "Copy VAT Setup to Jnl. Lines" (default on; a batch Meander creates takes its template's). Meander sends each line's VAT code and the gross amount; with the setting on, Business Central copies the expense account's VAT Bus. Posting Group and Gen. Posting Type and splits the VAT off. If it is off, the lines carry no Gen. Posting Type and the whole gross amount is booked on the expense account without VAT: keep it on for ${batch}.`,
    },
  ];
}
