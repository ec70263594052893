// The web UI in a real browser (Debian's Chromium through playwright-core) against the real
// `strata serve` over a repository built by the CLI. Each test saves a screenshot under
// test-results/. Without Chromium: skipped with the reason, or failed when CI is set.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { buildUiRepository, IMAGE_SIDE } from './browser-fixture.js';
import {
  chromiumMissing,
  launchChromium,
  loggedInPage,
  screenshot,
  startServe,
  type Served,
} from './browser-harness.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const missing = chromiumMissing();

// Functions passed to the page run in the browser; these are the few DOM names they use (the
// project compiles without the DOM library).
declare const document: {
  querySelector(selector: string): { complete: boolean; naturalWidth: number } | null;
};
declare function getComputedStyle(el: unknown): { getPropertyValue(property: string): string };
type Options = { options: Iterable<{ textContent: string | null; value: string }> };
const RED = 'rgb(207, 34, 46)';
const GREEN = 'rgb(45, 164, 78)';
const CYAN = 'rgb(27, 159, 198)';

describe('web UI in Chromium', { skip: missing ?? false, timeout: 300_000 }, () => {
  let dir: string;
  let token: string;
  let server: Served;
  let browser: Browser;
  const pages: Page[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-browser-'));
    ({ token } = await buildUiRepository(dir));
    // Both start at once; whichever started is kept for after() even when the other failed.
    const [served, launched] = await Promise.allSettled([startServe(dir), launchChromium()]);
    if (served.status === 'fulfilled') server = served.value;
    if (launched.status === 'fulfilled') browser = launched.value;
    if (served.status === 'rejected') throw served.reason;
    if (launched.status === 'rejected') throw launched.reason;
  });

  after(async () => {
    await Promise.all(pages.map((p) => p.close().catch(() => undefined)));
    await browser?.close();
    const code = await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    assert.ok(
      code === 0 || code === 130 || code === null,
      `strata serve exited ${code}:\n${server?.output()}`,
    );
  });

  async function open(tab: string): Promise<Page> {
    const page = await loggedInPage(browser, token);
    pages.push(page);
    await page.goto(`${server.url}/#/${tab}`);
    return page;
  }

  const text = async (page: Page, selector: string) => (await page.textContent(selector)) ?? '';

  const color = (page: Page, selector: string, property: 'color' | 'fill' | 'background-color') =>
    page.$eval(selector, (el, p) => getComputedStyle(el).getPropertyValue(p), property);

  it('asks for a token once, refuses a wrong one, and keeps a good one for the tab', async () => {
    const page = await browser.newPage();
    pages.push(page);
    await page.goto(server.url);
    await page.fill('input[name=token]', 'not-a-token');
    await page.click('button[type=submit]');
    await page.waitForSelector('.login .error');
    assert.match(await text(page, '.login .error'), /refused/);

    await page.fill('input[name=token]', token);
    await page.click('button[type=submit]');
    await page.waitForSelector('nav a[data-tab=data].active');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('strata.token')), token);
    await page.reload();
    await page.waitForSelector('table.data-table tbody tr');
    assert.equal(await page.$('input[name=token]'), null, 'a reload must not ask again');
    await screenshot(page, ROOT, 'ui-login');
  });

  it('runs an SQL search and shows invalid rows, with their errors, in red', async () => {
    const page = await open('data');
    await page.waitForSelector('table.data-table tbody tr');
    const invalid = await page.$$eval('tr.invalid', (rows) => rows.map((r) => r.textContent ?? ''));
    assert.ok(invalid.length > 0, 'the default search shows the invalid asset');
    assert.ok(
      invalid.every((t) => t.includes('sleeping-cat')),
      invalid.join('\n'),
    );
    assert.equal(await color(page, 'tr.invalid td', 'color'), RED);
    assert.notEqual(await color(page, 'tr:not(.invalid) td', 'color'), RED);

    await page.fill(
      'textarea[name=sql]',
      'SELECT asset_name, asset_valid, asset_error FROM data WHERE NOT asset_valid',
    );
    await page.selectOption('select[name=grouping]', 'asset');
    await page.click('form.sql button[type=submit]');
    await page.waitForFunction(
      "document.querySelectorAll('table.data-table tbody tr').length === 1 && " +
        "document.querySelector('table.data-table tbody tr').classList.contains('invalid')",
    );
    assert.match(await text(page, 'tr.invalid td.error-cell'), /frame|missing/i);
    await screenshot(page, ROOT, 'ui-sql-search');
  });

  it('draws the asset graph: valid green, invalid red, folders cyan', async () => {
    const page = await open('graph');
    await page.waitForSelector('svg.asset-graph g.node');
    const byStatus = async (status: string) =>
      (await page.$$(`svg.asset-graph g.node.asset.${status}`)).length;
    assert.equal(await byStatus('valid'), 2);
    assert.equal(await byStatus('invalid'), 1);
    assert.equal(await color(page, 'g.node.asset.valid circle', 'fill'), GREEN);
    assert.equal(await color(page, 'g.node.asset.invalid circle', 'fill'), RED);
    assert.equal(await color(page, 'g.node.folder circle', 'fill'), CYAN);
    assert.match(await text(page, 'g.node.asset.invalid'), /sleeping-cat/);
    await screenshot(page, ROOT, 'ui-asset-graph');
  });

  it('shows the history heat map against a chosen baseline, and a commit diff on click', async () => {
    const page = await open('history');
    await page.waitForSelector('table.heat-map tbody tr');
    const headers = await page.$$eval('table.heat-map th', (ths) => ths.map((t) => t.textContent ?? ''));
    assert.ok(headers.some((h) => h.startsWith('accuracy')) && headers.some((h) => h.startsWith('loss')));
    const baseline = await page.$eval(
      'select[name=baseline]',
      (s) => [...(s as unknown as Options).options].find((o) => o.textContent!.startsWith('exp-1'))!.value,
    );
    await page.selectOption('select[name=baseline]', baseline);
    await page.waitForSelector('td.metric[data-compared=better]');
    const row = (tag: string) => `table.heat-map tr:has(.tag:text-is("${tag}"))`;
    const compared = (tag: string) =>
      page.$$eval(`${row(tag)} td.metric`, (tds) => tds.map((td) => td.getAttribute('data-compared')));
    assert.deepEqual(await compared('exp-2'), ['better', 'better']);
    assert.deepEqual(await compared('exp-3'), ['worse', 'worse']);
    assert.match(await color(page, `${row('exp-2')} td.metric`, 'background-color'), /^rgba\(46, 160, 67/);
    assert.match(await color(page, `${row('exp-3')} td.metric`, 'background-color'), /^rgba\(218, 54, 51/);

    await page.click(row('exp-2'));
    await page.waitForSelector('.commit-diff li.change');
    assert.match(await text(page, '.commit-diff'), /results/);
    await screenshot(page, ROOT, 'ui-history-heat-map');
  });

  it("opens a column sample and shows the image with the array's dtype, shape and values", async () => {
    const page = await open('columns');
    await page.click('tr[data-column=digits]');
    await page.click('a[data-key]');
    await page.waitForFunction(() => {
      const img = document.querySelector('img.sample-image');
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    assert.equal(
      await page.$eval('img.sample-image', (i) => (i as unknown as { naturalWidth: number }).naturalWidth),
      IMAGE_SIDE,
    );
    assert.equal(await text(page, 'dd.dtype'), 'uint8');
    assert.equal(await text(page, 'dd.shape'), `(${IMAGE_SIDE}, ${IMAGE_SIDE})`);
    assert.match(await text(page, 'dd.values'), /^\[0, 8, 16, /);
    await screenshot(page, ROOT, 'ui-column-sample');
  });

  it('starts an asset update job and watches it finish', async () => {
    const page = await open('jobs');
    await page.click('button[data-start=update]');
    await page.waitForSelector('tr.job');
    await page.waitForSelector(
      'tr.job[data-state=completed], tr.job[data-state=completed_with_errors], tr.job[data-state=failed], tr.job[data-state=cancelled]',
      {
        timeout: 120_000,
      },
    );
    const state = await page.getAttribute('tr.job', 'data-state');
    assert.equal(state, 'completed', await text(page, 'table.jobs'));
    await screenshot(page, ROOT, 'ui-job');
  });

  it('starts a column import job with its parameters and watches it finish', async () => {
    const page = await open('jobs');
    await page.selectOption('form.start-job select[name=kind]', 'columns.import');
    await page.fill('form.start-job input[name=column]', 'digits_again');
    await page.fill('form.start-job input[name=path]', 'digits.npy');
    await page.check('form.start-job input[name=create]');
    await page.click('form.start-job button[type=submit]');
    const row = 'tr.job[data-kind="columns.import"]';
    await page.waitForSelector(row);
    await page.waitForSelector(
      ['completed', 'completed_with_errors', 'failed', 'cancelled']
        .map((s) => `${row}[data-state=${s}]`)
        .join(', '),
      { timeout: 120_000 },
    );
    assert.equal(await page.getAttribute(row, 'data-state'), 'completed', await text(page, 'table.jobs'));
    await screenshot(page, ROOT, 'ui-job-column-import');
  });
});
