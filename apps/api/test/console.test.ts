import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@meander/db/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';

// Static serving never touches the database, but the app is built over a real one (it wraps the
// store to sign checkpoints after seals).
const t = await createTestDatabase('sqlite');
const db = t.db;
const dir = mkdtempSync(join(tmpdir(), 'meander-console-'));
mkdirSync(join(dir, 'assets'));
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>console</title>');
writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
writeFileSync(join(tmpdir(), 'meander-console-secret.txt'), 'secret');
const html = { accept: 'text/html,application/xhtml+xml' };

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.drop();
});
afterEach(() => {
  delete process.env.NODE_ENV;
});

describe('the admin console served by the API', () => {
  const { app } = createApp({
    db,
    jwtSecret: 'console-test-secret-0123456789',
    console: { dir, demoTokens: [{ label: 'global admin', role: 'global_admin', token: 'abc' }] },
  });

  it('serves index.html at / with no-cache and hashed assets as immutable', async () => {
    const index = await app.request('/', { headers: html });
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>console</title>');
    const asset = await app.request('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await asset.text()).toBe('console.log(1)');
    expect((await app.request('/favicon.svg')).headers.get('cache-control')).toBe('no-cache');
  });

  it('falls back to index.html for client routes a browser asks for, never for assets or the API', async () => {
    const route = await app.request('/syncs/5a1f0f5e-0000-4000-8000-000000000000?tab=1', { headers: html });
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>console</title>');
    expect((await app.request('/assets/missing-000.js', { headers: html })).status).toBe(404);
    expect((await app.request('/elsewhere')).status).toBe(404);
    const trpc = await app.request('/trpc/nope.nothing', { headers: html });
    expect(trpc.headers.get('content-type')).toContain('application/json');
    expect((await app.request('/metrics/../../etc/passwd', { headers: html })).status).not.toBe(500);
  });

  it('never serves a file outside the console folder', async () => {
    const escaped = await app.request('/..%2fmeander-console-secret.txt', { headers: html });
    expect(await escaped.text()).not.toBe('secret');
  });

  it('sends a strict CSP and the other browser headers with the console and the API', async () => {
    for (const path of ['/', '/history', '/healthz', '/trpc/nope.nothing']) {
      const answer = await app.request(path, { headers: html });
      const csp = answer.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('serves demo tokens to a loopback host only (DNS rebinding)', async () => {
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'app.localhost']) {
      const answer = await app.request(`http://${host}/demo-tokens`);
      expect(answer.status).toBe(200);
    }
    for (const host of ['evil.example:3000', '10.0.0.5', 'localhost.evil.example', '127.0.0.1.nip.io']) {
      const answer = await app.request(`http://${host}/demo-tokens`);
      expect(answer.status).toBe(404);
      expect(JSON.stringify(await answer.json())).not.toContain('abc');
    }
  });

  it('offers the demo tokens only outside production', async () => {
    const demo = await app.request('/demo-tokens');
    expect(await demo.json()).toEqual({
      demo: true,
      tokens: [{ label: 'global admin', role: 'global_admin', token: 'abc' }],
    });
    process.env.NODE_ENV = 'production';
    const prod = createApp({
      db,
      jwtSecret: 'console-test-secret-0123456789',
      console: { dir, demoTokens: [{ label: 'x', role: 'service', token: 't' }] },
    });
    expect(await (await prod.app.request('/demo-tokens')).json()).toEqual({ demo: false, tokens: [] });
    const plain = createApp({ db, jwtSecret: 'console-test-secret-0123456789', console: { dir } });
    expect(await (await plain.app.request('/demo-tokens')).json()).toEqual({ demo: false, tokens: [] });
  });

  it('explains how to build the console when it is missing', async () => {
    const empty = createApp({
      db,
      jwtSecret: 'console-test-secret-0123456789',
      console: { dir: join(dir, 'nope') },
    });
    const page = await empty.app.request('/', { headers: html });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('pnpm --filter @meander/admin build');
  });
});
