import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase } from '@meander/db/testing';
import { describe, expect, it } from 'vitest';
import { WORKER_OLD_SPACE_MIB } from '../src/heap-bound.js';
import { startWorkerProcess, type WorkerLogLine } from '../src/testing/worker-process.js';

const ROOT = join(import.meta.dirname, '../../..');
const FLAG = `--max-old-space-size=${WORKER_OLD_SPACE_MIB}`;

describe('the worker process runs under its heap bound', () => {
  it('every way of starting it passes the bound: pnpm start, start:prod, compose.yaml', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'apps/worker/package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts.start).toContain(FLAG);
    expect(scripts['start:prod']).toContain(FLAG);
    const compose = readFileSync(join(ROOT, 'compose.yaml'), 'utf8');
    expect(compose).toContain(`command: ["node", "${FLAG}", "dist/main.js"]`);
  });

  it('a started worker reports the heap limit it runs under (the bound plus the young generation, not V8’s default)', async () => {
    const t = await createTestDatabase('sqlite');
    const worker = startWorkerProcess(t.url, { SYNC_QUEUE: 'inline' });
    try {
      const started = new Promise<WorkerLogLine>((resolve) =>
        worker.logs.on('log', (line) => line.msg === 'worker started' && resolve(line)),
      );
      await worker.ready;
      const limit = Number((await started).heapLimitMiB);
      // V8's default here is about 4 GiB (a quarter of the machine's memory, capped).
      expect(limit).toBeGreaterThanOrEqual(WORKER_OLD_SPACE_MIB);
      expect(limit).toBeLessThanOrEqual(WORKER_OLD_SPACE_MIB + 128);
    } finally {
      await worker.stop();
      await t.drop();
    }
  });
});
