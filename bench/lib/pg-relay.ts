import { connect, createServer, type Socket } from 'node:net';

/** A counting TCP relay in front of PostgreSQL. */
export interface PgRelay {
  /** The relay's URL: `upstream` with host and port replaced. */
  readonly url: string;
  /** Round trips so far: simple queries plus extended-protocol Syncs (each waits for the server). */
  roundTrips(): number;
  stop(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * Relays PostgreSQL connections and counts the client's round trips by reading the frontend
 * protocol: after the untyped startup message, every message is a type byte and a length; a
 * `Q` (simple query) or an `S` (Sync, which ends one extended-protocol exchange) is one trip.
 */
export async function startPgRelay(upstream: string): Promise<PgRelay> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  let trips = 0;
  const server = createServer((client) => {
    const pg = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, pg]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    let buffer = Buffer.alloc(0);
    let started = false;
    client.on('data', (chunk: Buffer) => {
      pg.write(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 8) break;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) break;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          // An SSL or GSS request is answered with one byte; the real startup message follows.
          if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) started = true;
          continue;
        }
        if (buffer.length < 5) break;
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) break;
        const type = String.fromCharCode(buffer[0]!);
        if (type === 'Q' || type === 'S') trips++;
        buffer = buffer.subarray(1 + length);
      }
    });
    pg.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(upstream);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.toString(),
    roundTrips: () => trips,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
