import type { JobStore, TaskOutcome } from '../store/job-store.js';

interface Pending {
  readonly outcome: TaskOutcome;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Collects task outcomes and writes them to the catalog in one transaction per batch (group
 * commit): at 2,000 tasks/s, one transaction per task would be the bottleneck. A write starts as
 * soon as none is in flight (after the current turn of the event loop, so outcomes recorded
 * together go together); outcomes that arrive meanwhile wait for it and form the next batch. So a
 * lone task is written at once, and under load batches grow by themselves, with no timer. Each
 * `record` resolves once its batch is written (a worker acknowledges the task to BullMQ only after
 * that), or rejects when the write failed (the task is then retried: outcomes are idempotent).
 */
export class OutcomeBatcher {
  private pending: Pending[] = [];
  private writing: Promise<void> | undefined;
  private scheduled = false;

  constructor(
    private readonly store: JobStore,
    private readonly options: { readonly maxBatch?: number } = {},
  ) {}

  record(outcome: TaskOutcome): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ outcome, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing !== undefined || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.writing === undefined) this.writing = this.writeAll();
    });
  }

  /** Writes batches until nothing is pending. */
  private async writeAll(): Promise<void> {
    const max = this.options.maxBatch ?? 2_000;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, max);
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
    this.writing = undefined;
  }

  /** Writes what is pending now (and waits for a write in flight). */
  async drain(): Promise<void> {
    while (this.writing !== undefined || this.pending.length > 0) {
      this.writing ??= this.writeAll();
      await this.writing;
    }
  }
}
