/**
 * The batches of `source`, the next one read while the caller works on the current one (pre-flight,
 * push, progress): the database read of a page no longer adds to every batch, on PostgreSQL where
 * it is a round trip to another process. One batch ahead, so at most two are held in memory; the
 * pages are keyset reads, so reading one early sees what reading it later would have.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  // Every read is awaited below, but maybe only after a push: until then a failed read must not
  // count as an unhandled rejection.
  const read = () => {
    const pending = iterator.next();
    pending.catch(() => undefined);
    return pending;
  };
  let next = read();
  let finished = false;
  try {
    for (;;) {
      const result = await next;
      if (result.done) {
        finished = true;
        return;
      }
      next = read();
      yield result.value;
    }
  } finally {
    // Left early (shutdown, a failure): let the read in flight settle, then close the source.
    if (!finished) {
      await next.catch(() => undefined);
      await iterator.return?.();
    }
  }
}
