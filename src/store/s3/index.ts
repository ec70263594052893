export { createS3ObjectStore } from './create-s3-object-store.js';
export type { CreateS3ObjectStoreOptions } from './create-s3-object-store.js';
export type { S3ObjectStore } from './s3-object-store.js';
export type { S3RequestCounts } from './s3-gateway.js';
