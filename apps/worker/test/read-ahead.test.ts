import { describe, expect, it } from 'vitest';
import { readAhead } from '../src/read-ahead.js';

/** A source of pages that records when each read starts and whether it was closed. */
function pages(count: number, options: { failAt?: number } = {}) {
  const events: string[] = [];
  let closed = false;
  async function* source(): AsyncGenerator<number> {
    try {
      for (let i = 0; i < count; i += 1) {
        events.push(`read ${i}`);
        await Promise.resolve();
        if (options.failAt === i) throw new Error(`page ${i} failed`);
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  return { source: source(), events, isClosed: () => closed };
}

describe('readAhead', () => {
  it('yields every page in order and reads the next one while the caller works on the current', async () => {
    const { source, events } = pages(3);
    const seen: number[] = [];
    for await (const page of readAhead(source)) {
      events.push(`work ${page}`);
      seen.push(page);
    }
    expect(seen).toEqual([0, 1, 2]);
    // Page n + 1 is requested before page n is worked on; never two pages ahead.
    expect(events).toEqual(['read 0', 'read 1', 'work 0', 'read 2', 'work 1', 'work 2']);
  });

  it('closes the source when the caller stops early, after the read in flight settles', async () => {
    const { source, events, isClosed } = pages(10);
    for await (const page of readAhead(source)) {
      if (page === 1) break;
    }
    expect(isClosed()).toBe(true);
    expect(events).toEqual(['read 0', 'read 1', 'read 2']);
  });

  it('a failed read fails the caller at that page, not earlier and not as an unhandled rejection', async () => {
    const { source, isClosed } = pages(5, { failAt: 2 });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const page of readAhead(source)) {
          // Page 2's read has already failed here (it was read ahead); the caller still gets page 1.
          await new Promise((r) => setImmediate(r));
          seen.push(page);
        }
      })(),
    ).rejects.toThrow('page 2 failed');
    expect(seen).toEqual([0, 1]);
    expect(isClosed()).toBe(true);
  });

  it('a caller that throws while a read is in flight still closes the source', async () => {
    const { source, isClosed } = pages(5);
    await expect(
      (async () => {
        for await (const page of readAhead(source)) {
          if (page === 0) throw new Error('push failed');
        }
      })(),
    ).rejects.toThrow('push failed');
    expect(isClosed()).toBe(true);
  });
});
