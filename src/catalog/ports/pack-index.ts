/** Where a packed object's data lies. Same shape as the store's `PackLocation` (ports stay apart). */
export interface PackIndexEntry {
  readonly id: string;
  readonly pack: string;
  readonly offset: number;
  readonly length: number;
}

/** The pack index the catalog keeps for the object store; structurally the store's `PackIndex`. */
export interface CatalogPackIndex {
  lookup(ids: readonly string[]): Promise<Map<string, Omit<PackIndexEntry, 'id'>>>;
  add(entries: Iterable<PackIndexEntry>): Promise<void>;
  remove(ids: readonly string[]): Promise<void>;
  entries(): AsyncIterable<PackIndexEntry>;
}
