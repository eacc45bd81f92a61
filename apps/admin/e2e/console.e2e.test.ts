import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, seriousViolations, watchCspViolations } from './browser';
import { type Product, startProduct, waitForScheduledSyncs } from './product';

const NORDLYS = '11111111-1111-4111-8111-111111111111';
const FJORDVIK = '22222222-2222-4222-8222-222222222222';
const DOCS = resolve(import.meta.dirname, '../../../docs');
// expect.poll gives up after 1 s by default: a history query and a React render on a loaded 2-core
// machine running another suite can take longer. Polls end as soon as the value is right.
const POLL = { timeout: 20_000 };
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

describe.each(DIALECTS)('the admin console in headless Chromium on %s', (dialect) => {
  let t: TestDatabase | null = null;
  let dir: string;
  let product: Product;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
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
  let cspViolations: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meander-admin-e2e-'));
    let databaseUrl = `file:${join(dir, 'meander.db')}`;
    if (dialect === 'postgres') {
      t = await createTestDatabase('postgres', { migrate: false });
      await t.db.close();
      databaseUrl = t.url;
    }
    product = await startProduct(databaseUrl);
    await waitForScheduledSyncs(product);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    cspViolations = watchCspViolations(page);
  });

  afterAll(async () => {
    await browser?.close();
    await product?.stop();
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
    const today = new Date().toISOString().slice(0, 10);
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
    expect(await page.getByRole('cell', { name: /Account 7140 is closed/ }).count()).toBeGreaterThan(0);
    expect(await page.getByText('Partial', { exact: true }).count()).toBeGreaterThan(0);
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
    await page.goto(partialUrl);
    await page.getByText('Re-synced by').waitFor();
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

  it('met no Content-Security-Policy violation on any screen it visited', () => {
    expect(cspViolations).toEqual([]);
  });
});
