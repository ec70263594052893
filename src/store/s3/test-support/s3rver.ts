import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  readonly httpServer?: { closeAllConnections(): void };
}

const S3rver = createRequire(import.meta.url)('s3rver') as new (
  options: Record<string, unknown>,
) => S3rverInstance;

/**
 * The only credentials s3rver knows. It rejects another access key id (`InvalidAccessKeyId`) but
 * does not check version-4 signatures, so a wrong secret key goes unnoticed by it.
 */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** A running s3rver: its endpoint URL and how to stop it (its folder is deleted). */
export interface TestS3Server {
  readonly endpoint: string;
  /** The folder s3rver stores buckets in (tests may look at it, never write it). */
  readonly dir: string;
  stop(): Promise<void>;
  /**
   * Stops serving at once, cutting open connections (a crash or a network cut as clients see it),
   * and keeps the folder: `startS3rver({ dir, port })` serves the same buckets again.
   */
  halt(): Promise<void>;
  readonly port: number;
}

/**
 * Starts a real S3-protocol server (s3rver) on a random loopback port, storing in a new temp
 * folder, with `buckets` created. s3rver mishandles aws-chunked (streamed, unknown-length) bodies,
 * so clients talking to it must send bodies of known length and ask for checksums only when an
 * operation requires them (`requestChecksumCalculation: 'WHEN_REQUIRED'`).
 */
export async function startS3rver(
  options: { buckets?: readonly string[]; dir?: string; port?: number } = {},
): Promise<TestS3Server> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'strata-s3rver-'));
  const server = new S3rver({
    port: options.port ?? 0,
    address: '127.0.0.1',
    silent: true,
    directory: dir,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    dir,
    port,
    async halt() {
      const closed = server.close();
      server.httpServer?.closeAllConnections();
      await closed;
    },
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A loopback port nothing listens on: bind one, note it, close it. */
export async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
