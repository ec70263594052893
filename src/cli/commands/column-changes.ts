/** The changes of one column as printed: how many, and the first few. */
export interface ColumnChangeGroup {
  readonly column: string;
  count: number;
  readonly shown: { column: string; key: unknown; change: string }[];
}

/** How many changes per column are listed one by one before the rest is summarised. */
export const SHOWN_PER_COLUMN = 20;

/**
 * Groups changes by column in one pass, keeping only the first `SHOWN_PER_COLUMN` of each: linear
 * in the changes and bounded in memory, whatever their number (10^6 staged samples print at once).
 */
export function groupColumnChanges(
  changes: Iterable<{ column: string; key: unknown; change: string }>,
  /** Groups to add to (a stream of batches passes the same map each time). */
  groups = new Map<string, ColumnChangeGroup>(),
): ColumnChangeGroup[] {
  for (const c of changes) {
    let group = groups.get(c.column);
    if (!group) {
      group = { column: c.column, count: 0, shown: [] };
      groups.set(c.column, group);
    }
    group.count++;
    if (group.shown.length < SHOWN_PER_COLUMN) group.shown.push(c);
  }
  return [...groups.values()];
}
