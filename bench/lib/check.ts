/**
 * A failed correctness check: the benchmark would otherwise be measuring a failure. `run.ts`
 * turns it into one clear message on stderr and a non-zero exit code.
 */
export class BenchCheckError extends Error {
  override readonly name = 'BenchCheckError';
}

/** Throws a `BenchCheckError` with `message` unless `condition` holds. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new BenchCheckError(message);
}

/** Progress and diagnostics go to stderr; stdout carries only the JSON document. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
