import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';

/** A unix socket bound at `path`, resolved once it is listening (no sleeping). */
export function listenOnSocket(path: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(path, () => resolve(server));
  });
}

/** Makes a FIFO with mkfifo(1), since node cannot. False when the command is missing. */
export function makeFifo(path: string): boolean {
  return spawnSync('mkfifo', [path]).status === 0;
}
