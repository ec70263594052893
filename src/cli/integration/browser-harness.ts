/**
 * What the browser tests and the UI benchmark share: Debian's Chromium driven by playwright-core,
 * and the real `strata serve` (the installed bin) on a port the system picks, ready when it prints
 * its URL. No fixed sleeps: every wait is for a signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { installedBin } from '../test-support/installed-bin.js';

export const CHROMIUM = process.env.STRATA_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/**
 * Why the browser tests cannot run here, or null when they can. Without Chromium they are skipped
 * on a developer's machine and fail in CI (CI set), where `.ci/run` installs it.
 */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `Chromium is not at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`;
  if (process.env.CI) throw new Error(`browser tests need Chromium in CI: ${why}`);
  return why;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A running `strata serve`. */
export interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  /** What the server printed so far (for failure messages). */
  output(): string;
  /** Stops it with SIGINT (as Ctrl-C does) and waits for its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `strata serve --port 0 …args` in `cwd` and resolves once it prints the URL it listens
 * on; rejects if it exits first or says nothing within `timeoutMs` (a bound, not a sleep).
 */
export function startServe(cwd: string, args: readonly string[] = [], timeoutMs = 60_000): Promise<Served> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  delete env.STRATA_DEBUG;
  const child = spawn(process.execPath, [installedBin(), 'serve', '--port', '0', ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const served = (url: string): Served => ({
    url,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
  });
  return new Promise<Served>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`strata serve printed no URL within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = / at (https?:\/\/[^\s]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(served(match[1]!.replace(/\/$/, '')));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`strata serve exited (${code}) before listening:\n${out}`));
    });
  });
}

/** A page that is already logged in: the token sits in sessionStorage before the UI loads. */
export async function loggedInPage(browser: Browser, token: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript((t) => sessionStorage.setItem('strata.token', t), token);
  return page;
}

/** Saves a screenshot of the page as test-results/<name>.png (gitignored). */
export async function screenshot(page: Page, root: string, name: string): Promise<string> {
  const dir = join(root, 'test-results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
