/**
 * `strata push` without the whole API: the CLI bundle turns each module a command imports lazily
 * into its own chunk, and an incremental push is mostly start-up, so loading this instead of
 * `api/index.js` leaves out what a push never runs (merge, ingest, assets, the server's schemas).
 * Everything here is exported by `api/index.js` too.
 */
export { pushRemote } from '../remote/push.js';
export type { PushOptions, PushResult } from '../remote/push.js';
