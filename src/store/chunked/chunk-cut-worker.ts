import { Worker } from 'node:worker_threads';
import { findChunkEnd, GEAR, MAX_CHUNK } from './gear-chunker.js';

/** Bytes the worker reads at a time; each block's cuts go back in one message. */
const WORKER_BLOCK = 8 * 1024 * 1024;

/**
 * The worker reads the file on its own and runs the Gear scan, so that the calling thread only
 * hashes and stores chunks: on two cores the scan (the costliest step) overlaps the rest. Its code
 * is given inline, with `findChunkEnd`'s own source (which refers to nothing outside itself), so
 * the same cuts come out of the compiled tree, the bundled CLI and `chunkBoundaries`.
 */
const workerSource = (findEnd: string) => `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const findChunkEnd = ${findEnd};
const { path, gear, block, max } = workerData;
try {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(block + max);
    let filled = 0, position = 0, base = 0, eof = false;
    while (!eof || filled > 0) {
      while (!eof && filled < block) {
        const n = readSync(fd, buffer, filled, buffer.length - filled, position);
        if (n === 0) eof = true;
        filled += n;
        position += n;
      }
      const ends = [];
      let start = 0;
      while (start < filled && (eof || filled - start >= max)) {
        start = findChunkEnd(buffer, start, filled, gear);
        ends.push(base + start);
      }
      buffer.copy(buffer, 0, start, filled);
      filled -= start;
      base += start;
      const out = Float64Array.from(ends);
      parentPort.postMessage({ ends: out }, [out.buffer]);
    }
    parentPort.postMessage({ done: true });
  } finally {
    closeSync(fd);
  }
} catch (err) {
  parentPort.postMessage({ error: String(err && err.message || err) });
}
`;

type Message = { ends?: Float64Array; done?: true; error?: string };

/**
 * The end offset of every chunk of the file at `path`, computed in a worker thread, in order.
 * Throws when the worker fails (the caller then chunks the file itself). Stopping early (a
 * `break` or `return`) terminates the worker.
 */
export async function* cutsFromWorker(path: string): AsyncGenerator<number> {
  const worker = new Worker(workerSource(findChunkEnd.toString()), {
    eval: true,
    workerData: { path, gear: GEAR, block: WORKER_BLOCK, max: MAX_CHUNK },
  });
  const inbox: Message[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  worker.on('message', (m: Message) => {
    inbox.push(m);
    wake?.();
  });
  worker.on('error', (err: Error) => {
    failure = err;
    wake?.();
  });
  try {
    for (;;) {
      while (inbox.length === 0 && failure === undefined) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      if (failure) throw failure;
      const m = inbox.shift()!;
      if (m.error !== undefined) throw new Error(`chunking worker failed: ${m.error}`);
      if (m.done) return;
      for (const end of m.ends!) yield end;
    }
  } finally {
    await worker.terminate();
  }
}
