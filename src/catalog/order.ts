/**
 * Code-unit order, the same on every backend: PostgreSQL's `ORDER BY` follows the database's
 * collation (`en_US` puts `a` before `B`), SQLite's does not.
 */
export function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** The time rows record, as ISO text (the same on every backend). */
export function now(): string {
  return new Date().toISOString();
}
