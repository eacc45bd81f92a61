import type { Database, SyncLogStore } from './port.js';

/**
 * The same database, whose sync log store answers the methods `overrides` returns (each calling
 * the store's own) and every other method as before. A Proxy rather than a copy, so it keeps
 * working whatever shape the stores take. Checkpoint signing (`withCheckpoints`) and the API's
 * trace hand-off wrap the store this way, one over the other.
 */
export function withSyncLogs<D extends Database>(
  db: D,
  overrides: (store: SyncLogStore) => Partial<SyncLogStore>,
): D {
  const replaced: Partial<Record<PropertyKey, unknown>> = overrides(db.syncLogs);
  const syncLogs = new Proxy(db.syncLogs, {
    get(target, property) {
      if (Object.hasOwn(replaced, property)) return replaced[property];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(db, {
    get(target, property) {
      if (property === 'syncLogs') return syncLogs;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
