import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { buildWebhookRequest, callWebhooks, type WebhookConfig } from './call-webhooks.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

function hook(partial: Partial<WebhookConfig> & { url: string }): WebhookConfig {
  return { method: 'post', headers: {}, timeout: 5, retry: { attempts: 3, backoff_ms: 5 }, ...partial };
}

describe('webhooks against a local HTTP server', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let flaky = 0;

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        if (req.url!.startsWith('/fail')) res.writeHead(500).end('no');
        else if (req.url!.startsWith('/flaky') && flaky++ < 2) res.writeHead(503).end('later');
        else if (req.url!.startsWith('/slow')) setTimeout(() => res.writeHead(200).end('late'), 3000);
        else res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends method, headers, JSON body, form data and query params', async () => {
    seen.length = 0;
    const reports = await callWebhooks(
      [
        hook({ url: `${base}/json`, json: { text: 'export complete' }, headers: { 'x-token': 't1' } }),
        hook({
          url: `${base}/form`,
          method: 'put',
          data: { channel: '#assets', n: 3 },
          params: { a: 1, b: 'two' },
        }),
        hook({ url: `${base}/get`, method: 'get', params: { q: 'x y' } }),
      ],
      { redactRegex: '(_key|_id|_token|url|password)$', secrets: [] },
    );
    assert.deepEqual(
      reports.map((r) => [r.ok, r.status, r.attempts, r.url]),
      [
        [true, 200, 1, 'REDACTED'],
        [true, 200, 1, 'REDACTED'],
        [true, 200, 1, 'REDACTED'],
      ],
    );
    assert.equal(seen[0]!.method, 'POST');
    assert.equal(seen[0]!.headers['content-type'], 'application/json');
    assert.equal(seen[0]!.headers['x-token'], 't1');
    assert.deepEqual(JSON.parse(seen[0]!.body), { text: 'export complete' });
    assert.equal(seen[1]!.method, 'PUT');
    assert.equal(seen[1]!.url, '/form?a=1&b=two');
    assert.equal(seen[1]!.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(seen[1]!.body, 'channel=%23assets&n=3');
    assert.equal(seen[2]!.method, 'GET');
    assert.equal(seen[2]!.url, '/get?q=x+y');
    assert.equal(seen[2]!.body, '');
  });

  it('retries a failing webhook, then reports it failed (never throws); a flaky one succeeds', async () => {
    flaky = 0;
    const lines: string[] = [];
    const reports = await callWebhooks([hook({ url: `${base}/fail` }), hook({ url: `${base}/flaky` })], {
      redactRegex: 'nothing-matches',
      secrets: [],
      log: (l) => lines.push(l),
    });
    assert.deepEqual(reports[0], {
      url: `${base}/fail`,
      ok: false,
      status: 500,
      attempts: 3,
      error: 'HTTP 500 Internal Server Error',
    });
    assert.deepEqual([reports[1]!.ok, reports[1]!.attempts, reports[1]!.status], [true, 3, 200]);
    assert.equal(lines.length, 5);
  });

  it('times out, and an unreachable host fails with a message that hides the url', async () => {
    const reports = await callWebhooks(
      [
        hook({ url: `${base}/slow`, timeout: 0.2, retry: { attempts: 2, backoff_ms: 1 } }),
        hook({ url: 'http://127.0.0.1:1/hook?api_token=abc', retry: { attempts: 2, backoff_ms: 1 } }),
      ],
      { redactRegex: '(_key|_id|_token|url|password)$', redactHash: true, secrets: [] },
    );
    assert.equal(reports[0]!.ok, false);
    assert.equal(reports[0]!.attempts, 2);
    assert.match(reports[0]!.error!, /timeout/i);
    assert.equal(reports[1]!.ok, false);
    assert.match(reports[1]!.url, /^hash-[0-9a-f]{16}$/);
    assert.ok(!String(reports[1]!.error).includes('abc'), String(reports[1]!.error));
  });

  it('GET sends no body; a JSON content-type header sends data as JSON', () => {
    const get = buildWebhookRequest(hook({ url: 'http://x/y', method: 'get', json: { a: 1 } }));
    assert.equal(get.init.body, undefined);
    const slack = buildWebhookRequest(
      hook({ url: 'http://x/y', data: { text: 'hi' }, headers: { 'Content-type': 'application/json' } }),
    );
    assert.equal(slack.init.body, '{"text":"hi"}');
  });
});
