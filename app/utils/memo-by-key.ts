/**
 * Memoises `build` by the string `key` of its arguments, keeping at most `max`
 * entries (the oldest goes first). For statements prepared once per query
 * shape (how many ids, which filters): a page asks the same few shapes again.
 */
export function memoByKey<A extends unknown[], T>(key: (...args: A) => string, build: (...args: A) => T, max = 200): (...args: A) => T {
  const built = new Map<string, T>();
  return (...args) => {
    const k = key(...args);
    let value = built.get(k);
    if (value === undefined) {
      value = build(...args);
      if (built.size >= max) built.delete(built.keys().next().value!);
      built.set(k, value);
    }
    return value;
  };
}
