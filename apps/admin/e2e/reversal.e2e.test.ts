import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, seriousViolations, watchCspViolations } from './browser';
import { type Product, startProduct } from './product';
import { trpcQuery } from './receiver';

const FJORDVIK = '22222222-2222-4222-8222-222222222222';
const POLL = { timeout: 60_000 };

interface Log {
  id: string;
  status: string;
  payloadSummary: { reversal?: { of: string; reason: string } } | null;
}

/**
 * The console's reversal, in headless Chromium against the whole product (API, worker, emulators):
 * the action on a success sync, its confirmation asking why, the reversal it starts, and the links
 * both ways afterwards. The pages are the same on either database; the API suites cover both.
 */
describe('reversing a sync from the console in headless Chromium', () => {
  let dir: string;
  let product: Product;
  let browser: Browser;
  let page: Page;
  let cspViolations: string[] = [];
  const api = <T>(path: string, input: unknown) =>
    trpcQuery<T>(product.apiUrl, path, input, product.tokens.global_admin ?? '');
  const expectAccessible = async () => {
    const violations = await seriousViolations(page);
    expect(
      violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    ).toEqual([]);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'meander-admin-reversal-'));
    product = await startProduct(`file:${join(dir, 'meander.db')}`);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    cspViolations = watchCspViolations(page);
  });
  afterAll(async () => {
    await browser?.close();
    await product?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers Reverse on a success sync, asks for the reason, and links the reversal both ways', async () => {
    // The demo's scheduled catch-up sync of Fjordvik (Business Central), once it has succeeded.
    let found: Log | undefined;
    await expect
      .poll(async () => {
        const { items } = await api<{ items: Log[] }>('syncLogs.list', {
          organizationId: FJORDVIK,
          status: 'success',
        });
        found = items[0];
        return found?.status;
      }, POLL)
      .toBe('success');
    const original = found as Log;
    await page.goto(`${product.apiUrl}/sign-in`);
    await page.getByRole('button', { name: 'Sign in as Global admin' }).click();
    await page.waitForURL((url) => !url.pathname.includes('sign-in'));
    await page.goto(`${product.apiUrl}/syncs/${original.id}`);
    const section = page.locator('section', { has: page.getByRole('heading', { name: 'Reversal' }) });
    await section.getByText('Not reversed.').waitFor();
    await section.getByRole('button', { name: 'Reverse…' }).click();

    const dialog = page.getByRole('dialog', { name: /Reverse sync/ });
    await dialog.waitFor();
    const confirm = dialog.getByRole('button', { name: 'Reverse sync' });
    // Nothing is reversed without a reason.
    expect(await confirm.isDisabled()).toBe(true);
    await expectAccessible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await api<Log | null>('syncs.reversalOf', { syncLogId: original.id })).toBeNull();

    await section.getByRole('button', { name: 'Reverse…' }).click();
    await dialog.getByLabel('Reason').fill('Exported to the wrong company');
    await confirm.click();
    await page.waitForURL((url) => !url.pathname.endsWith(original.id));
    const reversalId = page.url().split('/syncs/')[1] ?? '';
    await page.getByText('Reverses').waitFor();
    expect(
      await page.getByRole('link', { name: new RegExp(`sync ${original.id.slice(0, 8)}`) }).count(),
    ).toBeGreaterThan(0);
    await page.getByText('Exported to the wrong company').first().waitFor();
    // The reversal itself offers no Reverse.
    expect(await page.getByRole('button', { name: 'Reverse…' }).count()).toBe(0);

    // The worker runs it to its end; the original then names its reversal and offers no second one.
    await expect
      .poll(async () => (await api<Log>('syncLogs.get', { id: reversalId })).status, POLL)
      .toMatch(/^(success|partial)$/);
    const reversal = await api<Log>('syncLogs.get', { id: reversalId });
    expect(reversal.payloadSummary?.reversal).toEqual({
      of: original.id,
      reason: 'Exported to the wrong company',
    });
    await page.goto(`${product.apiUrl}/syncs/${original.id}`);
    await section.getByText('Reversed by').waitFor();
    expect(
      await section.getByRole('link', { name: new RegExp(`sync ${reversalId.slice(0, 8)}`) }).count(),
    ).toBe(1);
    expect(await section.getByRole('button', { name: 'Reverse…' }).count()).toBe(0);
    await expectAccessible();
    expect(cspViolations).toEqual([]);
  });
});
