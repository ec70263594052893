import type { JobStore, TaskOutcome } from '../store/job-store.js';

/**
 * Collects task outcomes and writes them to the catalog in one transaction per batch: at 2,000
 * tasks/s, one transaction per task would be the bottleneck. Each `record` resolves once its batch
 * is written (a worker acknowledges the task to BullMQ only after that), or rejects when the write
 * failed (the task is then retried: outcomes are idempotent).
 */
export class OutcomeBatcher {
  private pending: { outcome: TaskOutcome; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: JobStore,
    private readonly options: { readonly maxBatch?: number; readonly delayMs?: number } = {},
  ) {}

  record(outcome: TaskOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ outcome, resolve, reject });
      if (this.pending.length >= (this.options.maxBatch ?? 500)) this.flushSoon(0);
      else this.flushSoon(this.options.delayMs ?? 5);
    });
  }

  private flushSoon(delayMs: number): void {
    if (this.timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, delayMs);
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      await this.store.recordOutcomes(
        batch.map((entry) => entry.outcome),
        Date.now(),
      );
      for (const entry of batch) entry.resolve();
    } catch (err) {
      for (const entry of batch) entry.reject(err);
    }
  }

  /** Writes what is pending now. */
  async drain(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.flushing = this.flushing.then(() => this.flush());
    await this.flushing;
  }
}
