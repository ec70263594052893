export type { Transport, RemoteRef, RemoteInfo, RemoteObjects } from './transport.js';
export { parseRemoteUrl, normalizeRemoteUrl } from './remote-url.js';
export type { RemoteLocation } from './remote-url.js';
export { addRemote, listRemotes, removeRemote, getRemote, trackingRef } from './remotes.js';
export type { RemoteConfig } from './remotes.js';
export { openTransport } from './open-transport.js';
export { fetchRemote } from './fetch.js';
export type { FetchResult, FetchOptions, RefUpdate } from './fetch.js';
export { pushRemote } from './push.js';
export type { PushOptions, PushResult } from './push.js';
export type { TransferProgress } from './transfer/send-objects.js';
export type { DataFilter } from './transfer/plan-transfer.js';
export { setLocalRef } from './local-refs.js';
export {
  describeServedRemote,
  sizesOf,
  objectFrames,
  receivePack,
  updateServedRef,
} from './http/serve-remote.js';
export { credentialsPath, saveToken, savedToken } from './http/credentials-file.js';
export { login } from './login.js';
export type { LoginResult } from './login.js';
export type { OpenTransportOptions } from './open-transport.js';
