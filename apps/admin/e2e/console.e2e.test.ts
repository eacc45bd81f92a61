import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTime, formatMoney } from '../src/lib/format';
import { launchChromium, seriousViolations, watchCspViolations } from './browser';
import { type Product, startProduct, waitForScheduledSyncs } from './product';
import { type Receiver, startReceiver, trpcQuery } from './receiver';

const NORDLYS = '11111111-1111-4111-8111-111111111111';
const FJORDVIK = '22222222-2222-4222-8222-222222222222';
const STILLE = '33333333-3333-4333-8333-333333333333';
const DOCS = resolve(import.meta.dirname, '../../../docs');
// expect.poll gives up after 1 s by default: a history query and a React render on a loaded 2-core
// machine running another suite can take longer. Polls end as soon as the value is right.
const POLL = { timeout: 20_000 };
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
// Intl separates groups and currency with no-break spaces: compared as plain spaces.
const plain = (s: string | null) => (s ?? '').replace(/[\u00a0\u202f]/g, ' ').trim();

interface RejectedItem {
  recordId: string;
  bookingDate: string | null;
  amountMinor: string | null;
  currency: string | null;
  account: string | null;
  code: string;
  category: string;
  message: string;
  fix: string;
}
interface LogDetails {
  id: string;
  organizationId: string;
  completedAt: string | null;
  payloadSummary: { totalAmountMinor?: string; currency?: string; recordIds?: string[] } | null;
  errorDetails: {
    code: string;
    catalogCode?: string;
    catalogCategory?: string;
    recordFailures?: { catalogCode?: string; code: string }[];
  } | null;
}

describe.each(DIALECTS)('the admin console in headless Chromium on %s', (dialect) => {
  let t: TestDatabase | null = null;
  let dir: string;
  let product: Product;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let receiver: Receiver;
  const api = <T>(path: string, input: unknown) =>
    trpcQuery<T>(product.apiUrl, path, input, product.tokens.global_admin ?? '');
  // The <dd> after a <dt> of the record's fields.
  const field = (label: string) => page.locator(`dl.fields dt:text-is("${label}") + dd`).first();
  // Screenshots for the README come from one dialect's run (the pages look the same on both), and
  // only when asked (`UPDATE_SCREENSHOTS=1`): a plain test run must leave the work tree as it was.
  const shoot = async (name: string, target = page) => {
    if (dialect !== 'sqlite' || process.env.UPDATE_SCREENSHOTS !== '1') return;
    mkdirSync(DOCS, { recursive: true });
    await target.screenshot({ path: join(DOCS, `console-${name}.png`), fullPage: true });
  };
  const expectAccessible = async (target = page) => {
    const violations = await seriousViolations(target);
    expect(
      violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    ).toEqual([]);
  };
  const card = (name: RegExp) =>
    page.locator('article.integration', { has: page.getByRole('heading', { name }) });
  let partialUrl = '';
  let childUrl = '';
  let successUrl = '';
  let cspViolations: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meander-admin-e2e-'));
    let databaseUrl = `file:${join(dir, 'meander.db')}`;
    if (dialect === 'postgres') {
      t = await createTestDatabase('postgres', { migrate: false });
      await t.db.close();
      databaseUrl = t.url;
    }
    receiver = await startReceiver();
    product = await startProduct(databaseUrl, { WEBHOOK_ALLOWED_HOSTS: receiver.host });
    await waitForScheduledSyncs(product);
    browser = await launchChromium();
    // A Norwegian browser: money reads "275 420,40 kr".
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'nb-NO' });
    page = await context.newPage();
    cspViolations = watchCspViolations(page);
  });

  afterAll(async () => {
    await browser?.close();
    await product?.stop();
    await receiver?.close();
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the console URL and serves the console there', async () => {
    expect(product.consoleUrl).toBe(`${product.apiUrl}/`);
    const response = await page.goto(product.consoleUrl);
    expect(response?.headers()['cache-control']).toBe('no-cache');
    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain('/sign-in');
  });

  it('signs in with a demo role and shows both demo organizations', async () => {
    await page.getByRole('heading', { name: 'Demo roles' }).waitFor();
    await expectAccessible();
    await shoot('sign-in');
    await page.getByRole('button', { name: 'Sign in as Global admin' }).click();
    await card(/Nordlys AS/).waitFor();
    await card(/Fjordvik Consulting/).waitFor();
    await card(/Nordlys AS/)
      .getByText('Healthy')
      .first()
      .waitFor();
    expect(
      await card(/Nordlys AS/)
        .getByText('Healthy')
        .count(),
    ).toBe(1);
    // Chain status is part of each card without a click (the scheduled sync is sealed).
    await card(/Nordlys AS/)
      .getByText('Chain verified: 1 sealed record, no breaks.')
      .waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('meander.console.token'))).toMatch(/^ey/);
    // A disabled organization with no records says nothing about a chain (its module set up, then off).
    const configured = await fetch(`${product.apiUrl}/trpc/organizations.configureAccounting`, {
      method: 'POST',
      headers: { authorization: `Bearer ${product.tokens.global_admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ organizationId: STILLE, enabled: false, accountingSystem: 'xledger' }),
    });
    expect(configured.status).toBe(200);
    await page.reload();
    const stille = card(/Stille Drift AS · Xledger/);
    await stille.getByText('Disabled').first().waitFor();
    expect(await stille.getByRole('button', { name: /Verify chain/ }).count()).toBe(0);
    expect(await stille.getByText(/Chain verified/).count()).toBe(0);
    await expectAccessible();
  });

  it('rejects a pasted token the API does not accept, with a sentence', async () => {
    const other = await context.newPage();
    await other.goto(`${product.apiUrl}/sign-in`);
    const forged =
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwicm9sZSI6Imdsb2JhbF9hZG1pbiIsImV4cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJl';
    await other.getByLabel('Bearer token').fill(forged);
    await other.getByRole('button', { name: 'Sign in', exact: true }).click();
    await other.getByText('Your session has ended or the token is not valid. Sign in again.').waitFor();
    expect(await other.getByText('{').count()).toBe(0);
    await other.close();
  });

  it('starts an export from the Nordlys card and watches it reach success', async () => {
    await page.goto(`${product.apiUrl}/`);
    const nordlys = card(/Nordlys AS/);
    await nordlys.getByRole('button', { name: 'Export…' }).click();
    // The organization's calendar day (the demo organizations keep Europe/Oslo), not UTC's.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(new Date());
    expect(await nordlys.getByLabel('Period from').inputValue()).toBe(`${today.slice(0, 8)}01`);
    expect(await nordlys.getByLabel('Period to').inputValue()).toBe(today);
    await nordlys.getByRole('button', { name: 'Start export' }).click();
    await page.waitForURL(/\/syncs\//);
    await page.getByText('Done: 40 of 40 records synced').waitFor({ timeout: 60_000 });
    expect(await page.getByRole('progressbar', { name: 'Sync progress' }).getAttribute('aria-valuenow')).toBe(
      '100',
    );
    await page.getByRole('heading', { name: 'Seal' }).waitFor();
    await page.getByText('Chain position').waitFor({ timeout: 20_000 });
    expect(await page.getByText('Success', { exact: true }).count()).toBeGreaterThan(0);
    successUrl = page.url();
    const log = await api<LogDetails>('syncLogs.get', { id: UUID.exec(page.url())?.[0] });
    await page.getByRole('heading', { level: 1, name: /^Nordlys AS: Xledger export, / }).waitFor();
    expect(await field('Organization').textContent()).toBe('Nordlys AS');
    // The demo token carries the user's display name.
    expect(await field('Triggered by').textContent()).toBe('Mari Solberg');
    expect(log.payloadSummary?.currency).toBe('NOK');
    const total = plain(await field('Total sent').textContent());
    expect(total).toBe(plain(formatMoney(log.payloadSummary?.totalAmountMinor ?? '', 'NOK', 'nb-NO')));
    expect(total).toMatch(/^\d{1,3}( \d{3})*,\d{2} kr$/);
    await expectAccessible();
    await shoot('sync-success');
  });

  it('shows a partial Fjordvik export with its rejected records and their reason', async () => {
    const fault = await fetch(`${product.emulatorUrl}/_control/dynamics/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ closedAccounts: ['7140'] }),
    });
    expect(fault.status).toBe(200);
    await page.goto(`${product.apiUrl}/`);
    const fjordvik = card(/Fjordvik Consulting/);
    await fjordvik.getByRole('button', { name: 'Export…' }).click();
    await fjordvik.getByRole('button', { name: 'Start export' }).click();
    await page.waitForURL(/\/syncs\//);
    await page.getByRole('heading', { name: /Rejected records \(\d+\)/ }).waitFor({ timeout: 60_000 });
    partialUrl = page.url();
    // The heading counts from the sync itself; the rows arrive with rejections.list, a moment later.
    await expect
      .poll(() => page.getByRole('cell', { name: /Account 7140 is closed/ }).count(), POLL)
      .toBeGreaterThan(0);
    expect(await page.getByText('Partial', { exact: true }).count()).toBeGreaterThan(0);
    const syncLogId = UUID.exec(partialUrl)?.[0];
    const { items } = await api<{ items: RejectedItem[] }>('rejections.list', { syncLogId });
    const rows = page.locator('table.rejections tbody tr');
    await expect.poll(() => rows.count(), POLL).toBe(items.length);
    await page.getByRole('columnheader', { name: 'How to fix' }).waitFor();
    expect(items.map((item) => item.account)).toContain('7140');
    for (const [i, item] of items.slice(0, 3).entries()) {
      const cells = await rows.nth(i).locator('td').allTextContents();
      expect(item.fix.length).toBeGreaterThan(10);
      expect(cells[0]).toBe(item.recordId);
      expect(cells[1]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(cells[1]).toBe(item.bookingDate);
      expect(plain(cells[2] ?? '')).toBe(
        plain(formatMoney(item.amountMinor ?? '', item.currency ?? '', 'nb-NO')),
      );
      // The record's account (its first line's): a record is refused for 7140 on any of its lines.
      expect(cells[3]).toBe(item.account);
      expect(cells[4]).toContain(`${item.code} (${item.category})`);
      expect(cells[5]).toContain(item.message);
      expect(cells[6]).toBe(item.fix);
    }
    // The sync-level error is named by its catalogue code, the ledger's code beside it.
    const log = await api<LogDetails>('syncLogs.get', { id: syncLogId });
    expect(await field('Code').textContent()).toContain(
      log.errorDetails?.catalogCode ?? log.errorDetails?.code,
    );
    // A partial sync's category is its records' (catalogue), not the summary's transport category.
    expect(new Set(items.map((i) => i.category))).toEqual(new Set(['master_data']));
    expect(await field('Category').textContent()).toBe(`master_data (${items.length} records)`);
    const totalMinor = items.reduce((sum, i) => sum + BigInt(i.amountMinor ?? 0), 0n);
    expect(plain(await page.getByText(/^Rejected amount:/).textContent())).toBe(
      `Rejected amount: ${plain(formatMoney(totalMinor, 'NOK', 'nb-NO'))}`,
    );
    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download rejections (CSV)' }).click(),
    ]);
    expect(csvDownload.suggestedFilename()).toBe(`rejections-${syncLogId}.csv`);
    const csvPath = join(dir, 'rejections.csv');
    await csvDownload.saveAs(csvPath);
    const { readFileSync } = await import('node:fs');
    const csvLines = readFileSync(csvPath, 'utf8').trimEnd().split(/\r?\n/);
    expect(csvLines[0]?.split(',').slice(0, 5)).toEqual([
      'recordId',
      'bookingDate',
      'amount',
      'currency',
      'account',
    ]);
    expect(csvLines).toHaveLength(items.length + 1);
    await expectAccessible();
    await shoot('sync-partial');
  });

  it('previews and runs the re-sync of the rejected records, linked to its parent', async () => {
    await fetch(`${product.emulatorUrl}/_control/dynamics/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await page.goto(partialUrl);
    await page.getByRole('button', { name: 'Preview re-sync' }).click();
    await page.getByText(/\d+ rejected records? will be sent again/).waitFor();
    await page.getByRole('button', { name: 'Run re-sync' }).click();
    await page.waitForURL((url) => url.href !== partialUrl && /\/syncs\//.test(url.href));
    await page.getByText(/^Done: (\d+) of \1 records synced$/).waitFor({ timeout: 60_000 });
    const parentId = UUID.exec(partialUrl)?.[0] ?? '';
    await page.getByRole('link', { name: `sync ${parentId.slice(0, 8)}` }).waitFor();
    childUrl = page.url();
    const childId = UUID.exec(childUrl)?.[0] ?? '';
    await page.goto(partialUrl);
    await page.getByText('Re-synced by').waitFor();
    await page.getByText(/^Resolved by/).waitFor();
    await page
      .getByRole('link', { name: `sync ${childId.slice(0, 8)}` })
      .first()
      .waitFor();
    // Fixed by a later re-sync: no re-sync offered.
    expect(await page.getByRole('button', { name: 'Preview re-sync' }).count()).toBe(0);
    await expectAccessible();
    await shoot('sync-resolved');
  });

  it('keeps every history filter in the URL; the back button undoes a filter', async () => {
    await page.goto(`${product.apiUrl}/history?organizationId=${FJORDVIK}`);
    await page.getByRole('table').waitFor();
    const rowsFor = () => page.locator('table.history tbody tr').count();
    await expect.poll(rowsFor, POLL).toBe(3);
    await page.getByLabel('Status').selectOption('partial');
    await expect.poll(() => new URL(page.url()).searchParams.get('status'), POLL).toBe('partial');
    await expect.poll(rowsFor, POLL).toBe(1);
    await page.getByLabel('Sync type').selectOption('scheduled');
    await page.getByText('No syncs match these filters.').waitFor();
    await expectAccessible();
    await page.goBack();
    await expect.poll(() => new URL(page.url()).searchParams.get('syncType'), POLL).toBe(null);
    await expect.poll(rowsFor, POLL).toBe(1);
    await page.goto(`${product.apiUrl}/history`);
    await expect.poll(rowsFor, POLL).toBe(5);
    const parentId = UUID.exec(partialUrl)?.[0] ?? '';
    const childId = UUID.exec(childUrl)?.[0] ?? '';
    const rowOf = (id: string) =>
      page.locator('table.history tbody tr', { has: page.locator(`td:first-child a[data-sync-id="${id}"]`) });
    const headers = await page.locator('table.history thead th').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['Duration', 'First error', 'Re-syncs']));
    const parentCells = await rowOf(parentId).locator('td').allTextContents();
    const parentLog = await api<LogDetails>('syncLogs.get', { id: parentId });
    const firstFailure = parentLog.errorDetails?.recordFailures?.[0];
    expect(parentCells[8]).toContain(firstFailure?.catalogCode ?? firstFailure?.code ?? 'missing');
    expect(parentCells[9]).toContain(`re-synced by ${childId.slice(0, 8)}`);
    expect(parentCells[9]).toContain(`resolved by ${childId.slice(0, 8)}`);
    const childCells = await rowOf(childId).locator('td').allTextContents();
    expect(childCells[7]).toMatch(/^\d+(\.\d)? (ms|s)$|min/);
    expect(childCells[8]).toBe('—');
    expect(childCells[9]).toBe(`re-sync of ${parentId.slice(0, 8)}`);
    await expectAccessible();
    await shoot('history');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const csv = join(dir, 'history.csv');
    await download.saveAs(csv);
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(csv, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]?.split(',').slice(0, 5)).toEqual([
      'id',
      'organizationId',
      'accountingSystem',
      'syncType',
      'status',
    ]);
    expect(lines).toHaveLength(6);
    // A row's link navigates inside the app (no full reload: the session survives either way).
    const first = page.locator('table.history tbody a').first();
    const href = await first.getAttribute('href');
    await first.click();
    await page.waitForURL((url) => url.pathname === href);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
  });

  it('verifies the Fjordvik chain from its card', async () => {
    await page.goto(`${product.apiUrl}/`);
    const fjordvik = card(/Fjordvik Consulting/);
    await fjordvik.getByRole('button', { name: /^Verify chain/ }).click();
    await fjordvik.getByText('Chain verified: 3 sealed records, no breaks.').waitFor();
    // The connection check, each check with its message, as the API reports them.
    const report = await api<{ ok: boolean; checks: { name: string; ok: boolean; message: string }[] }>(
      'organizations.checkConnection',
      { organizationId: FJORDVIK },
    );
    expect(report.ok).toBe(true);
    await fjordvik.getByRole('button', { name: 'Check connection' }).click();
    await fjordvik.getByText('Connection OK: every check passed.').waitFor();
    const checks = await fjordvik.locator('.check-list li').allTextContents();
    expect(checks.map(plain)).toEqual(report.checks.map((c) => `Passed ${c.name}: ${c.message}`));
    await expectAccessible();
    await shoot('integrations');
    // Responsive at laptop width: nothing wider than the window.
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.goto(`${product.apiUrl}/`);
    await page.locator('article.integration').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    await shoot('integrations-1024');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('keeps an org admin inside their organization and hides what they may not do', async () => {
    const admin = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const p = await admin.newPage();
    await p.goto(`${product.apiUrl}/`);
    await p.getByRole('button', { name: 'Sign in as Org admin · Nordlys AS' }).click();
    await p.locator('article.integration').first().waitFor();
    expect(await p.locator('article.integration').count()).toBe(1);
    expect(await p.getByRole('heading', { name: /Fjordvik/ }).count()).toBe(0);
    await p.goto(`${product.apiUrl}/history`);
    await p.getByRole('table').waitFor();
    expect(await p.getByLabel('Organization').count()).toBe(0);
    expect(await p.getByRole('cell', { name: 'Fjordvik Consulting' }).count()).toBe(0);
    // Another user's sync: no name in this token for them, so a short id.
    await p.goto(successUrl);
    await p.getByRole('heading', { level: 1, name: /^Nordlys AS: / }).waitFor();
    expect(await p.locator('dl.fields dt:text-is("Triggered by") + dd').textContent()).toBe(
      'user 0a0a0a0a…0002',
    );
    // Webhooks of their own organization, no organization picker.
    await p.goto(`${product.apiUrl}/webhooks`);
    await p.getByRole('heading', { level: 1, name: 'Webhooks of Nordlys AS' }).waitFor();
    expect(await p.getByLabel('Organization').count()).toBe(0);
    await p.goto(partialUrl);
    await p
      .getByText('Not found: it does not exist, or it belongs to an organization you cannot see.')
      .waitFor();
    await p.goto(`${product.apiUrl}/history?organizationId=${FJORDVIK}`);
    await p.getByRole('alert').waitFor();
    expect(await p.getByRole('alert').textContent()).toContain('Your role is not allowed to do this.');
    await expectAccessible(p);
    await p.getByRole('button', { name: 'Sign out' }).click();
    await p.waitForURL(/\/sign-in/);
    expect(await p.evaluate(() => sessionStorage.getItem('meander.console.token'))).toBeNull();
    await admin.close();
    // A service principal reads but is not offered exports.
    const service = await browser.newContext();
    const s = await service.newPage();
    await s.goto(`${product.apiUrl}/`);
    await s.getByRole('button', { name: 'Sign in as Service' }).click();
    await s.locator('article.integration').first().waitFor();
    expect(await s.getByRole('button', { name: 'Export…' }).count()).toBe(0);
    await service.close();
    expect(NORDLYS).not.toBe(FJORDVIK);
  });

  it('manages webhooks: the secret once, a signed test delivered and logged, delete', async () => {
    await page.goto(`${product.apiUrl}/webhooks?organizationId=${NORDLYS}`);
    await page.getByRole('heading', { level: 1, name: 'Webhooks of Nordlys AS' }).waitFor();
    await page.getByText('No webhook endpoints yet.').waitFor();
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await page.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const endpoint = page.getByRole('article', { name: `Webhook endpoint ${receiver.url}` });
    await endpoint.waitFor();
    await expectAccessible();
    await shoot('webhooks-created');
    await page.getByRole('button', { name: 'I have copied the secret' }).click();
    expect(await page.getByLabel('Signing secret').count()).toBe(0);
    await page.reload();
    await endpoint.waitFor();
    expect(await page.locator('body').textContent()).not.toContain(secret);
    await endpoint.getByRole('button', { name: 'Send test event' }).click();
    const delivered = endpoint.locator('table.deliveries tbody tr', { hasText: 'Delivered' });
    await delivered.waitFor({ timeout: 60_000 });
    const cells = await delivered.first().locator('td').allTextContents();
    expect(cells.slice(1, 5)).toEqual(['webhook.test', 'Delivered', '1', '200']);
    const got = receiver.received.at(-1);
    expect(got?.headers['webhook-signature']).toMatch(/^v1,/);
    expect(JSON.parse(got?.body ?? '{}').type).toBe('webhook.test');
    await expectAccessible();
    await shoot('webhooks');
    await endpoint.getByRole('button', { name: 'Delete…' }).click();
    await endpoint.getByRole('button', { name: `Delete ${receiver.url} and its delivery log` }).click();
    await page.getByText('No webhook endpoints yet.').waitFor();
  });

  it('names a failure the same way on the card, the sync page and the problems list', async () => {
    const fault = await fetch(`${product.emulatorUrl}/_control/xledger/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ authFailure: true }),
    });
    expect(fault.status).toBe(200);
    await page.goto(`${product.apiUrl}/`);
    const nordlys = card(/Nordlys AS/);
    await nordlys.getByRole('button', { name: 'Export…' }).click();
    await nordlys.getByRole('button', { name: 'Start export' }).click();
    await page.waitForURL(/\/syncs\//);
    await page.getByRole('heading', { name: 'Why it failed' }).waitFor({ timeout: 60_000 });
    const log = await api<LogDetails>('syncLogs.get', { id: UUID.exec(page.url())?.[0] });
    const details = log.errorDetails;
    expect(details?.catalogCode).toBe('CREDENTIALS_REJECTED');
    expect(details?.catalogCategory).toBe('auth');
    const headline = `${details?.catalogCode} (${details?.catalogCategory})`;
    const code = plain(await field('Code').textContent());
    expect(code).toBe(
      details?.code === details?.catalogCode
        ? details?.code
        : `${details?.catalogCode} · ledger code ${details?.code}`,
    );
    expect(await field('Category').textContent()).toBe('auth');
    await expectAccessible();
    await shoot('sync-failed');

    await page.goto(`${product.apiUrl}/`);
    await nordlys.getByText(`The latest sync failed: ${headline}`).waitFor({ timeout: 20_000 });
    await nordlys.getByText(`1 open problem: ${headline}`).waitFor();
    await nordlys.getByRole('button', { name: 'Check connection' }).click();
    await nordlys.getByText(/^Connection check failed: \d+ of \d+ checks did not pass\.$/).waitFor();
    expect(await nordlys.locator('.check-failed').count()).toBeGreaterThan(0);
    await expectAccessible();
    await shoot('integration-action-required');
    await nordlys.getByRole('link', { name: '1 open problem' }).click();
    await page.getByRole('heading', { level: 1, name: 'Problems of Nordlys AS · Xledger' }).waitFor();
    const organizations = await api<{ id: string; timeZone?: string }[]>('organizations.list', undefined);
    const zone = organizations.find((o) => o.id === NORDLYS)?.timeZone ?? 'UTC';
    const open = page.locator('section', { has: page.getByRole('heading', { name: 'Open problems (1)' }) });
    await open.locator('tbody tr').first().waitFor();
    const problem = await open.locator('tbody tr').first().locator('td').allTextContents();
    expect(problem[0]).toBe(headline);
    expect(problem[2]).toBe(formatDateTime(log.completedAt, zone));
    expect(problem[3]).toBe(formatDateTime(log.completedAt, zone));
    expect(problem[4]).toBe('1');
    expect(problem[5]).toBe(`sync ${log.id.slice(0, 8)}`);
    await expectAccessible();
    await shoot('problems');
    await fetch(`${product.emulatorUrl}/_control/xledger/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
  });

  it('met no Content-Security-Policy violation on any screen it visited', () => {
    expect(cspViolations).toEqual([]);
  });
});
