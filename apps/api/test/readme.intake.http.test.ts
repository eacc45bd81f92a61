import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, DIALECTS, type TestDatabase } from '@meander/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../src/auth/tokens.js';
import { type RunningApi, startApiServer } from '../src/server.js';
import { SECRET } from './fixtures.js';

const run = promisify(execFile);

/** The README's "Integrating Meander's expense system" section, as an integrator reads it. */
function integrationSection(): string {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', '..', 'README.md'), 'utf8');
  const start = readme.indexOf("## Integrating Meander's expense system");
  const end = readme.indexOf('\n## ', start + 1);
  if (start < 0 || end < 0)
    throw new Error('README.md has no section "Integrating Meander\'s expense system"');
  return readme.slice(start, end);
}

/** Each `curl` block of the section with the JSON block printed under it (its promised answer). */
function curlExamples(section: string): { command: string; answer: unknown }[] {
  const blocks = [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({
    lang: m[1],
    body: m[2] ?? '',
  }));
  return blocks.flatMap((block, i) => {
    if (block.lang !== 'bash' || !block.body.trimStart().startsWith('curl ')) return [];
    const next = blocks[i + 1];
    if (next?.lang !== 'json') throw new Error(`README curl example without its answer:\n${block.body}`);
    return [{ command: block.body, answer: JSON.parse(next.body) }];
  });
}

/** The demo organization the README's examples name (npm start's Nordlys AS). */
const NORDLYS = '11111111-1111-4111-8111-111111111111';
const README_API = 'http://127.0.0.1:3000';

describe.each(DIALECTS)(
  "the README's intake examples, run with curl against a listening API on %s",
  (dialect) => {
    let t: TestDatabase;
    let api: RunningApi;
    let serviceToken: string;

    beforeAll(async () => {
      t = await createTestDatabase(dialect);
      await t.db.organizations.create({ id: NORDLYS, name: 'Nordlys AS', timeZone: 'Europe/Oslo' });
      api = await startApiServer({ db: t.db, port: 0, jwtSecret: SECRET });
      serviceToken = await signToken({ sub: crypto.randomUUID(), role: 'service' }, SECRET);
    });
    afterAll(async () => {
      await api?.close();
      await t?.drop();
    });

    it('answers every curl example exactly as printed, in order (upsert, versions, withdraw)', async () => {
      const examples = curlExamples(integrationSection());
      expect(examples.map((e) => /\/trpc\/([\w.]+)/.exec(e.command)?.[1])).toEqual([
        'expenseRecords.upsert',
        'expenseRecords.upsert',
        'expenseRecords.withdraw',
      ]);
      for (const { command, answer } of examples) {
        expect(command).toContain(README_API);
        // The command as printed; only the host differs (the test's server listens on a free port).
        const { stdout } = await run('sh', ['-c', command.replaceAll(README_API, api.url)], {
          env: { PATH: process.env.PATH, SERVICE_TOKEN: serviceToken },
        });
        expect(JSON.parse(stdout), command).toEqual(answer);
      }
      const taxi = await t.db.expenseRecords.get(NORDLYS, '5b0c6a1e-8d2f-4c3b-9a7e-1f2d3c4b5a60');
      expect(taxi).toMatchObject({
        version: 2,
        state: 'withdrawn',
        description: 'Taxi to Gardermoen (corrected)',
      });
    });
  },
);
