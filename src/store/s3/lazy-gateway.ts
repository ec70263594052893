import type { S3Target } from './s3-errors.js';
import { redactEndpoint } from './s3-errors.js';
import type { S3Gateway, S3GatewayOptions, S3RequestCounts, S3Requests, UploadedPart } from './s3-gateway.js';

const NO_REQUESTS: S3RequestCounts = { get: 0, head: 0, put: 0, post: 0, list: 0, delete: 0, total: 0 };

/**
 * An `S3Gateway` made on the first request. Loading the AWS SDK costs more than a whole `status`
 * on a repository of 10,000 files (seconds on a busy machine), and a command whose reads all hit
 * the local cache never needs it. Faults surface on that first request, as they would mid-command.
 */
export class LazyS3Gateway implements S3Requests {
  readonly target: S3Target;
  #gateway: S3Gateway | undefined;
  #loading: Promise<S3Gateway> | undefined;
  #closed = false;

  constructor(private readonly options: S3GatewayOptions) {
    this.target = {
      endpoint: options.endpoint ? redactEndpoint(options.endpoint) : 'AWS S3',
      bucket: options.bucket,
    };
  }

  /** Whether a request was made (and so the SDK loaded). */
  get loaded(): boolean {
    return this.#gateway !== undefined;
  }

  #real(): Promise<S3Gateway> {
    this.#loading ??= import('./s3-gateway.js').then(({ S3Gateway }) => {
      const gateway = new S3Gateway(this.options);
      if (this.#closed) gateway.close();
      this.#gateway = gateway;
      return gateway;
    });
    return this.#loading;
  }

  requestCounts(): S3RequestCounts {
    return this.#gateway?.requestCounts() ?? { ...NO_REQUESTS };
  }
  async checkBucket(): Promise<void> {
    return (await this.#real()).checkBucket();
  }
  async put(key: string, body: Buffer): Promise<void> {
    return (await this.#real()).put(key, body);
  }
  async getRange(key: string, start: number, end: number): Promise<Buffer | undefined> {
    return (await this.#real()).getRange(key, start, end);
  }
  async get(key: string): Promise<Buffer | undefined> {
    return (await this.#real()).get(key);
  }
  async stream(key: string, sink: (chunk: Buffer) => Promise<void> | void): Promise<boolean> {
    return (await this.#real()).stream(key, sink);
  }
  async *listKeys(prefix: string): AsyncIterable<string> {
    yield* (await this.#real()).listKeys(prefix);
  }
  async createMultipart(key: string): Promise<string> {
    return (await this.#real()).createMultipart(key);
  }
  async uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<UploadedPart> {
    return (await this.#real()).uploadPart(key, uploadId, partNumber, body);
  }
  async completeMultipart(key: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void> {
    return (await this.#real()).completeMultipart(key, uploadId, parts);
  }
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    return (await this.#real()).abortMultipart(key, uploadId);
  }
  async deleteKeys(keys: readonly string[]): Promise<void> {
    return (await this.#real()).deleteKeys(keys);
  }
  close(): void {
    this.#closed = true;
    this.#gateway?.close();
  }
  describe(): string {
    return `S3 store ${this.target.endpoint}, bucket ${this.target.bucket}`;
  }
}
