/**
 * The base of every error Strata raises on purpose. Each subclass has a fixed `code` and structured
 * `data`, so callers (the CLI, the HTTP server, worker threads) can branch on `code` and serialise
 * the error with `toJSON` without losing anything.
 */
export class StrataError extends Error {
  /** Stable machine-readable code, e.g. `E_NOT_A_REPOSITORY`. */
  readonly code: string;
  /** Structured details: what, where, expected and found. */
  readonly data: Readonly<Record<string, unknown>>;
  /** True when the caller's input or repository state is at fault (CLI exit code 1). */
  readonly userError: boolean;

  constructor(code: string, message: string, data: Record<string, unknown> = {}, userError = true) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.data = data;
    this.userError = userError;
  }

  toJSON(): { name: string; code: string; message: string; data: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, data: { ...this.data } };
  }
}

/** True for any error raised by Strata on purpose (as opposed to a bug or a system failure). */
export function isStrataError(err: unknown): err is StrataError {
  return err instanceof StrataError;
}
