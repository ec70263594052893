import { createRequire } from 'node:module';
import type * as S3Sdk from '@aws-sdk/client-s3';

const requireHere = createRequire(import.meta.url);
let loaded: typeof S3Sdk | undefined;

/**
 * `@aws-sdk/client-s3`, loaded on first use. Loading it (and the ~100 modules it pulls in) cost
 * more than the rest of a `strata status` start-up, and most commands never talk to S3, so no
 * module imports it statically: the CLI bundle then leaves it out of every command's start.
 * (The object store has the same loader in src/store/s3/: each adapter folder keeps its driver.)
 */
export function s3Sdk(): typeof S3Sdk {
  return (loaded ??= requireHere('@aws-sdk/client-s3') as typeof S3Sdk);
}
