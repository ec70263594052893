import { createServer, request } from 'node:http';
import type { IncomingMessage } from 'node:http';

/**
 * What the proxy does with one request: pass it on, answer 503 SlowDown, drop the connection, or
 * pass it on but drop the connection halfway through the answer's body.
 */
export type Fault = 'pass' | 'slow-down' | 'reset' | 'cut-body';

/** A running fault proxy; `decide` may be replaced at any time. */
export interface FaultProxy {
  readonly endpoint: string;
  decide: (request: IncomingMessage) => Fault;
  /** Requests seen, by fault applied. */
  readonly seen: Record<Fault, number>;
  stop(): Promise<void>;
}

/**
 * An HTTP proxy in front of a test S3 server that injects faults: a throttling answer (503
 * SlowDown, which the SDK retries with backoff) or a connection dropped mid-request (a network
 * error). Everything else is forwarded unchanged.
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const proxy: FaultProxy = {
    endpoint: '',
    decide: () => 'pass',
    seen: { pass: 0, 'slow-down': 0, reset: 0, 'cut-body': 0 },
    stop: async () => {},
  };
  const server = createServer((req, res) => {
    const fault = proxy.decide(req);
    proxy.seen[fault]++;
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'slow-down') {
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
        );
      });
      return;
    }
    const forward = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (fault !== 'cut-body') {
          answer.pipe(res);
          return;
        }
        answer.once('data', (chunk: Buffer) => {
          res.write(chunk.subarray(0, Math.max(1, chunk.byteLength >> 1)));
          setImmediate(() => res.socket?.destroy());
          answer.destroy();
        });
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  Object.assign(proxy, {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return proxy;
}
