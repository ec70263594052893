/** How often to try, and how long to wait before the second try (doubling after that). */
export interface RetryPolicy {
  readonly attempts: number;
  readonly backoff_ms: number;
}

/** The outcome of `withRetry`: the value, or the last error, and how many attempts it took. */
export type RetryOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number }
  | { readonly ok: false; readonly error: unknown; readonly attempts: number };

/** The wait before attempt `n + 1` (n ≥ 1): backoff, 2 × backoff, 4 × backoff, … capped at 60 s. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(60_000, policy.backoff_ms * 2 ** (attempt - 1));
}

/**
 * Calls `work` until it succeeds or `policy.attempts` calls have failed, waiting with exponential
 * backoff in between. Never throws: a final failure is returned, so one failing target never
 * stops the others.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  work: (attempt: number) => Promise<T>,
  onFailure?: (error: unknown, attempt: number, willRetry: boolean) => void,
): Promise<RetryOutcome<T>> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      return { ok: true, value: await work(attempt), attempts: attempt };
    } catch (error) {
      lastError = error;
      const willRetry = attempt < policy.attempts;
      onFailure?.(error, attempt, willRetry);
      if (willRetry) await new Promise((r) => setTimeout(r, backoffDelay(policy, attempt)));
    }
  }
  return { ok: false, error: lastError, attempts: policy.attempts };
}
