import type { Database } from './port.js';

/** The stores of a database that a wrapper may override (its methods, not its connection). */
type StoreName = 'syncLogs' | 'organizations' | 'expenseRecords' | 'checkpoints' | 'unverifiedPostings';

/**
 * The same database, whose store `name` answers the methods `overrides` returns (each calling the
 * store's own) and every other method as before. A Proxy rather than a copy, so it keeps working
 * whatever shape the stores take. Credential sealing (`withCredentials`), checkpoint signing
 * (`withCheckpoints`) and the API's trace hand-off wrap the stores this way, one over the other.
 */
export function withStoreOverrides<D extends Database, K extends StoreName>(
  db: D,
  name: K,
  overrides: (store: Database[K]) => Partial<Database[K]>,
): D {
  const replaced: Partial<Record<PropertyKey, unknown>> = overrides(db[name]);
  const store = new Proxy(db[name], {
    get(target, property) {
      if (Object.hasOwn(replaced, property)) return replaced[property];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(db, {
    get(target, property) {
      if (property === name) return store;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
