import type { AssetConfig } from '../config/asset-config.js';
import { redactSecrets } from '../config/redact.js';
import { describeError } from '../export/describe-error.js';
import { redactText } from '../export/redact-text.js';
import { withRetry } from '../export/retry.js';

/** One webhook's entry in the config. */
export type WebhookConfig = AssetConfig['webhooks'][number];

/** How one webhook did: an entry of `export --json`'s `webhooks`. */
export interface WebhookReport {
  /** Redacted like the config (`url` matches the default redact regex). */
  readonly url: string;
  readonly ok: boolean;
  /** HTTP status of the last attempt, when a response came back. */
  readonly status?: number;
  readonly attempts: number;
  readonly error?: string;
}

/** The request a webhook entry describes: query params on the URL, a JSON or form body. */
export function buildWebhookRequest(hook: WebhookConfig): { url: string; init: RequestInit } {
  const url = new URL(hook.url);
  for (const [k, v] of Object.entries(hook.params ?? {})) url.searchParams.append(k, String(v));
  const method = hook.method.toUpperCase();
  const headers = new Headers(hook.headers);
  let body: string | undefined;
  if (method !== 'GET') {
    if (hook.json !== undefined) {
      body = JSON.stringify(hook.json);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    } else if (hook.data !== undefined) {
      if (typeof hook.data === 'string') body = hook.data;
      else if ((headers.get('content-type') ?? '').includes('json')) body = JSON.stringify(hook.data);
      else {
        const form = new URLSearchParams();
        for (const [k, v] of Object.entries(hook.data as Record<string, unknown>)) form.append(k, String(v));
        body = form.toString();
        if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded');
      }
    }
  }
  return { url: url.href, init: { method, headers, body } };
}

/** Options of `callWebhooks`. */
export interface CallWebhooksOptions {
  readonly redactRegex: string;
  readonly redactHash?: boolean;
  /** Strings to hide in error messages. */
  readonly secrets: readonly string[];
  readonly log?: (line: string) => void;
}

/**
 * Calls each webhook in turn (method, headers, json / data / params, timeout in seconds), with
 * retries and exponential backoff; a non-2xx answer counts as a failure. Never throws: a webhook
 * that keeps failing is reported with `ok: false`.
 */
export async function callWebhooks(
  hooks: readonly WebhookConfig[],
  options: CallWebhooksOptions,
): Promise<WebhookReport[]> {
  const reports: WebhookReport[] = [];
  for (const hook of hooks) {
    const shownUrl = String(
      (redactSecrets({ url: hook.url }, options.redactRegex, options.redactHash) as { url: string }).url,
    );
    const redact = (text: string) => redactText(text, [hook.url, ...options.secrets], options.redactHash);
    const { url, init } = buildWebhookRequest(hook);
    let status: number | undefined;
    const outcome = await withRetry(
      hook.retry,
      async () => {
        const response = await fetch(url, { ...init, signal: AbortSignal.timeout(hook.timeout * 1000) });
        status = response.status;
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
      },
      (err, attempt, willRetry) =>
        options.log?.(
          redact(
            `webhook ${shownUrl}: attempt ${attempt}/${hook.retry.attempts} failed: ${describeError(err)}${willRetry ? '; retrying' : ''}`,
          ),
        ),
    );
    reports.push({
      url: shownUrl,
      ok: outcome.ok,
      ...(status !== undefined ? { status } : {}),
      attempts: outcome.attempts,
      ...(outcome.ok ? {} : { error: redact(describeError(outcome.error)) }),
    });
  }
  return reports;
}
