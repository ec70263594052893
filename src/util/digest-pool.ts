import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { SAMPLE_DIGEST_BYTES } from './hash.js';

/**
 * Sample digests of bulk writes, computed in a worker thread while the writing thread stages the
 * previous batch: digests are most of a bulk import's CPU time, and the machine has more than one
 * core. The worker's code is given inline (with hash-wasm's resolved path) so that it runs the
 * same from the compiled tree and from the bundled CLI.
 */
const WORKER_SOURCE = (hashWasm: string) => `
const { parentPort } = require('node:worker_threads');
const { createBLAKE3 } = require(${JSON.stringify(hashWasm)});
let hasher;
parentPort.on('message', async ({ id, prefix, data, sampleBytes, count }) => {
  try {
    hasher ??= await createBLAKE3(${SAMPLE_DIGEST_BYTES * 8});
    const out = new Uint8Array(count * ${SAMPLE_DIGEST_BYTES});
    for (let i = 0; i < count; i++) {
      hasher.init();
      hasher.update(prefix);
      hasher.update(data.subarray(i * sampleBytes, (i + 1) * sampleBytes));
      out.set(hasher.digest('binary'), i * ${SAMPLE_DIGEST_BYTES});
    }
    parentPort.postMessage({ id, out }, [out.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.stack || err) });
  }
});
`;

type Reply = { id: number; out?: Uint8Array; error?: string };

/** One worker and the requests it has not answered yet. */
class DigestWorker {
  private next = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (d: Uint8Array) => void; reject: (e: Error) => void }
  >();

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if (reply.out) w.resolve(reply.out);
      else w.reject(new Error(`digest worker failed: ${reply.error}`));
      if (this.waiting.size === 0) this.worker.unref();
    });
    worker.on('error', (err: Error) => {
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
      shared = undefined;
    });
    worker.unref();
  }

  /**
   * Shared input buffers free to be filled again. Requests are copied into one of these rather
   * than into a fresh transferred buffer: a bulk import sent its whole data through fresh copies,
   * which cost page faults on every one and lay about as garbage (most of the import's peak RSS).
   */
  private readonly free: SharedArrayBuffer[] = [];

  digest(prefix: Uint8Array, data: Uint8Array, sampleBytes: number, count: number): Promise<Uint8Array> {
    const id = this.next++;
    let shared = this.free.pop();
    if (!shared || shared.byteLength < data.byteLength) shared = new SharedArrayBuffer(data.byteLength);
    const input = new Uint8Array(shared, 0, data.byteLength);
    input.set(data);
    const reuse = shared;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, prefix: new Uint8Array(prefix), data: input, sampleBytes, count });
    }).finally(() => {
      // Answered: the worker no longer reads the buffer (at most a few are ever in flight).
      if (this.free.length < 4) this.free.push(reuse);
    });
  }
}

/** Worker threads, one per core: each request is split across all of them. */
export class DigestPool {
  constructor(private readonly workers: readonly DigestWorker[]) {}

  /** How many worker threads share each request. */
  get size(): number {
    return this.workers.length;
  }

  /**
   * Digests of `count` samples of `sampleBytes` each, back to back in `data` (copied: the caller
   * may reuse its buffer at once), each over `prefix` then its bytes.
   */
  async digest(
    prefix: Uint8Array,
    data: Uint8Array,
    sampleBytes: number,
    count: number,
  ): Promise<Uint8Array> {
    const per = Math.ceil(count / this.workers.length);
    const parts = this.workers.map((w, i) => {
      const from = Math.min(count, i * per);
      const n = Math.min(per, count - from);
      return n > 0
        ? w.digest(prefix, data.subarray(from * sampleBytes, (from + n) * sampleBytes), sampleBytes, n)
        : Promise.resolve(new Uint8Array(0));
    });
    const out = new Uint8Array(count * SAMPLE_DIGEST_BYTES);
    let at = 0;
    for (const part of await Promise.all(parts)) {
      out.set(part, at);
      at += part.byteLength;
    }
    return out;
  }
}

let shared: DigestPool | undefined;

/**
 * The process's digest workers (one per core but the writing thread's, so hashing and staging
 * use every core), or undefined on a single core (the caller then hashes itself).
 */
export function digestPool(): DigestPool | undefined {
  const cores = availableParallelism();
  if (cores < 2) return undefined;
  if (!shared) {
    const require = createRequire(import.meta.url);
    const hashWasm = require.resolve('hash-wasm');
    // Loaded on first use: a command that hashes no big file never pays for the module.
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    const workers = Array.from(
      // One core fewer than the machine has: the writing thread stages and compresses meanwhile,
      // and each worker costs ~30 MB of resident memory (its own heap and WebAssembly module).
      { length: Math.min(cores - 1, 8) },
      () => new DigestWorker(new Worker(WORKER_SOURCE(hashWasm), { eval: true })),
    );
    shared = new DigestPool(workers);
  }
  return shared;
}
