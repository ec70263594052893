import { StrataError } from '../errors/index.js';

/**
 * The name and type of a port that a capability defines (the compute store, the asset store) and
 * the composition root (`src/backends/`) builds. The repository layer carries these ports without
 * knowing their types, so a capability never picks its own adapter and `repo/` never imports one.
 */
export interface PortKey<T> {
  readonly name: string;
  /** Never set: keeps `T` part of the key's type. */
  readonly type?: (value: T) => T;
}

export function portKey<T>(name: string): PortKey<T> {
  return { name };
}

/** The capability ports of one open repository, filled by whoever built it. */
export class CapabilityPorts {
  readonly #ports = new Map<string, unknown>();

  set<T>(key: PortKey<T>, value: T): this {
    this.#ports.set(key.name, value);
    return this;
  }

  has(key: PortKey<unknown>): boolean {
    return this.#ports.has(key.name);
  }

  /** The port; a repository built without it is a bug in whoever built it (not the caller's fault). */
  get<T>(key: PortKey<T>): T {
    if (!this.#ports.has(key.name)) {
      throw new StrataError(
        'E_INTERNAL',
        `this repository was opened without its ${key.name} port (open it through openRepository)`,
        { port: key.name },
        false,
      );
    }
    return this.#ports.get(key.name) as T;
  }
}
