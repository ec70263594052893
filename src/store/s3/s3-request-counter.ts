import type { S3Client } from '@aws-sdk/client-s3';

/** S3 requests sent, by kind (each retry attempt counts: it is billed and it costs a round trip). */
export interface S3RequestCounts {
  get: number;
  head: number;
  put: number;
  post: number;
  list: number;
  delete: number;
  total: number;
}

type SentRequest = { method?: string; query?: Record<string, unknown>; path?: string };

/**
 * Counts the requests an S3 client sends, by kind, from a middleware placed below the SDK's retry
 * middleware: every attempt is counted, as every attempt is billed and costs a round trip.
 */
export class S3RequestCounter {
  private readonly counts: S3RequestCounts = {
    get: 0,
    head: 0,
    put: 0,
    post: 0,
    list: 0,
    delete: 0,
    total: 0,
  };

  attach(client: S3Client): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        this.count(args.request as SentRequest);
        return next(args);
      },
      // Below the retry middleware (finalizeRequest), so every attempt is counted.
      { step: 'deserialize', name: 'strataRequestCounter' },
    );
  }

  /** A copy of the counters. */
  snapshot(): S3RequestCounts {
    return { ...this.counts };
  }

  private count(request: SentRequest): void {
    const method = (request.method ?? '').toUpperCase();
    const query = request.query ?? {};
    if (method === 'GET' && ('list-type' in query || 'prefix' in query)) this.counts.list++;
    else if (method === 'GET') this.counts.get++;
    else if (method === 'HEAD') this.counts.head++;
    else if (method === 'PUT') this.counts.put++;
    else if (method === 'POST') this.counts.post++;
    else if (method === 'DELETE') this.counts.delete++;
    this.counts.total++;
  }
}
