/** A registered resource: a named file tree with a role. */
export interface ResourceRecord {
  readonly name: string;
  /** For in-repository folders, the path relative to the repository root, with `/` separators. */
  readonly path: string;
  readonly role: string;
  readonly type: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

/** The repository's registered resources. */
export interface ResourceRegistry {
  /** Registers a resource; `AlreadyExistsError` when the name is taken. */
  addResource(resource: ResourceRecord): Promise<void>;
  /** Unregisters a resource and forgets its stat cache. */
  removeResource(name: string): Promise<void>;
  /** Replaces a registered resource's options (its parameters); false when there is no such resource. */
  setResourceOptions(name: string, options: ResourceRecord['options']): Promise<boolean>;
  /** Every registered resource, sorted by name. */
  listResources(): Promise<ResourceRecord[]>;
}
