/**
 * `make`, called once per key and remembered for as long as the key lives. For what belongs to one
 * open database handle: its driver (and so its SQLite statement cache) and the stores built on it,
 * whose statements are compiled once. A WeakMap, so a closed and dropped database takes them along.
 */
export function oncePer<K extends object, V>(make: (key: K) => V): (key: K) => V {
  const made = new WeakMap<K, V>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      value = make(key);
      made.set(key, value);
    }
    return value;
  };
}
