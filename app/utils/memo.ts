/**
 * `build(key)` once per key, the answers kept for at most `max` keys (the oldest is dropped first):
 * for things built per shape, such as a prepared query per number of placeholders.
 */
export function memoByKey<K, V>(build: (key: K) => V, max: number): (key: K) => V {
  const built = new Map<K, V>();
  return (key) => {
    let value = built.get(key);
    if (value === undefined) {
      value = build(key);
      if (built.size >= max) built.delete(built.keys().next().value!);
      built.set(key, value);
    }
    return value;
  };
}
