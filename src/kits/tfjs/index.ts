// The TensorFlow.js kit: `import { lineageCallback } from 'strata/kits/tfjs'`. Kept out of the
// main entry (and the CLI bundle) so that only users of the kit load TensorFlow.js.
export { LineageCallback, lineageCallback, EPOCHS_FILE } from './lineage-callback.js';
export type { LineageCallbackOptions } from './lineage-callback.js';
export { folderSaveHandler, MODEL_FILE, WEIGHTS_FILE } from './save-handler.js';
