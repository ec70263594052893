export * from './chunk-manifest.js';
export * from './chunked-file.js';
export * from './gear-chunker.js';
export * from './read-chunked.js';
