import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileDurable } from '../../util/durable-fs.js';

/** The files a saved model consists of, in the layout `tf.loadLayersModel('file://…/model.json')` reads. */
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/**
 * A `tf.io` save handler writing a model into a folder as `model.json` and `weights.bin`.
 * tfjs's own `file://` handler lives in tfjs-node, which needs a native library; this one is the
 * pure-JavaScript equivalent, so that the model can be an output of a lineage step.
 */
export function folderSaveHandler(folder: string): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (artifacts) => {
    mkdirSync(folder, { recursive: true });
    const weights =
      artifacts.weightData === undefined ? new Uint8Array(0) : concatWeights(artifacts.weightData);
    const model = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
    };
    // Weights first: a model.json always names weights that are there.
    writeFileDurable(join(folder, WEIGHTS_FILE), weights);
    writeFileDurable(join(folder, MODEL_FILE), JSON.stringify(model) + '\n');
    return {
      modelArtifactsInfo: {
        dateSaved: new Date(),
        modelTopologyType: 'JSON',
        weightDataBytes: weights.byteLength,
      },
    };
  });
}

/** tfjs may hand the weights as one buffer or as several (large models); the file holds them in order. */
function concatWeights(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = (Array.isArray(data) ? data : [data]).map((b) => new Uint8Array(b));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
