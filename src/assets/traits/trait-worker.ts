/**
 * A worker thread of the read pool: reads batches of files (content hash and traits) and answers
 * each batch with one message. Function traits come from the specification modules, imported
 * here once per module.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSmallHasher } from '../../util/hash.js';
import { specificationsOfModule } from '../specs/load-specifications.js';
import type { NamingGrammar } from '../naming/grammar.js';
import type { FileTrait, Specification } from '../specs/specification.js';
import { readFile, type ReadRequest, type ReadResult, type TraitLookup } from './read-file.js';

export interface ReadWorkerInit {
  /** Specification name → absolute path of its module. */
  readonly modules: Readonly<Record<string, string>>;
  readonly grammar: NamingGrammar;
}
export interface ReadBatch {
  readonly id: number;
  readonly requests: readonly ReadRequest[];
}
export interface ReadBatchReply {
  readonly id: number;
  readonly results: readonly ReadResult[];
}

/** A trait lookup that imports each specification module once. */
export function moduleTraitLookup(init: ReadWorkerInit): TraitLookup {
  const specs = new Map<string, Promise<Specification | undefined>>();
  return async (spec, trait) => {
    let found = specs.get(spec);
    if (!found) {
      const modulePath = init.modules[spec];
      found = modulePath
        ? specificationsOfModule(modulePath, init.grammar).then((list) => list.find((s) => s.name === spec))
        : Promise.resolve(undefined);
      specs.set(spec, found);
    }
    const t = (await found)?.fileTraits?.[trait];
    return typeof t === 'function' ? (t as FileTrait) : undefined;
  };
}

if (parentPort) {
  const port = parentPort;
  const lookup = moduleTraitLookup(workerData as ReadWorkerInit);
  // Batches are read once the small-input hasher is loaded (failing to load it only costs speed).
  const ready = loadSmallHasher().catch(() => undefined);
  port.on('message', (batch: ReadBatch) => {
    void (async () => {
      await ready;
      const results: ReadResult[] = [];
      for (const request of batch.requests) {
        const r = readFile(request, lookup);
        results.push(r instanceof Promise ? await r : r);
      }
      port.postMessage({ id: batch.id, results } satisfies ReadBatchReply);
    })();
  });
}
