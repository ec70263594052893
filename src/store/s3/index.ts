export { createS3ObjectStore } from './create-s3-object-store.js';
export type { CreateS3ObjectStoreOptions } from './create-s3-object-store.js';
export type { S3ObjectStore } from './s3-object-store.js';
export type { S3RequestCounts } from './s3-gateway.js';
export { createS3BareRemote } from './create-s3-bare-remote.js';
export type { S3BareRemote, S3RemoteMeta } from './s3-bare-remote.js';
