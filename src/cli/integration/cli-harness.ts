/**
 * Helpers for integration tests that drive the real `strata` CLI as child processes: spawn it,
 * collect its output, make and remove temp folders, and fingerprint working folders byte for byte.
 * Only node built-ins are used, so these tests see Strata exactly as a user does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installedBin } from '../test-support/installed-bin.js';

/** What one finished CLI run left behind. */
export interface RunResult {
  /** Exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit, in milliseconds. */
  readonly ms: number;
}

/** A running CLI process and the promise of its end. */
export interface RunningStrata {
  readonly child: ChildProcess;
  readonly done: Promise<RunResult>;
}

/** Environment of every child: no colors, no debug stack traces, a fixed author. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', STRATA_AUTHOR: 'integration-test' };
  delete env.STRATA_DEBUG;
  delete env.FORCE_COLOR;
  return env;
}

/**
 * Runs the installed CLI (the file package.json's `bin` points to, as `npx strata` does) with
 * node, in `cwd`.
 */
export function createStrata() {
  const binPath = installedBin();

  /** Starts `strata ...args`; `env` adds variables (e.g. STRATA_PROGRESS=lines). */
  function start(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningStrata {
    const began = performance.now();
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd,
      env: { ...childEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const done = new Promise<RunResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) =>
        resolve({ code, signal, stdout, stderr, ms: performance.now() - began }),
      );
    });
    return { child, done };
  }

  /** Runs `strata ...args` to its end. */
  async function run(cwd: string, args: readonly string[]): Promise<RunResult> {
    return start(cwd, args).done;
  }

  /** Runs `strata ...args`, asserts exit 0, and parses stdout as JSON. */
  async function json<T = unknown>(cwd: string, args: readonly string[]): Promise<T> {
    const r = await run(cwd, args);
    if (r.code !== 0) {
      throw new Error(`strata ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr.trim()}`);
    }
    try {
      return JSON.parse(r.stdout) as T;
    } catch {
      throw new Error(`strata ${args.join(' ')} printed no JSON: ${r.stdout}`);
    }
  }

  /** Runs `strata ...args` and asserts exit 0; returns the result. */
  async function ok(cwd: string, args: readonly string[]): Promise<RunResult> {
    const r = await run(cwd, args);
    if (r.code !== 0) {
      throw new Error(
        `strata ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr.trim() || r.stdout.trim()}`,
      );
    }
    return r;
  }

  return { binPath, start, run, json, ok };
}

/** Makes a fresh temp folder, runs `work` in it, and always removes it. */
export async function withTempDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `strata-${prefix}-`));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SHA-256 of bytes, in hex. */
export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every file under `dir` (recursively), as a map of `/`-separated relative path → sha256 of its bytes. */
export function digestTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (abs: string, rel: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const childAbs = join(abs, entry.name);
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(childAbs, childRel);
      else out.set(childRel, entry.isFile() ? sha256(readFileSync(childAbs)) : `(not a file: ${entry.name})`);
    }
  };
  walk(dir, '');
  return out;
}

/**
 * The differences between an expected and an actual tree digest, as readable lines (empty when
 * they match): files missing, files that should not be there, files with other bytes.
 */
export function treeDifferences(
  expected: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string>,
): string[] {
  const lines: string[] = [];
  for (const [path, hash] of expected) {
    const got = actual.get(path);
    if (got === undefined) lines.push(`missing: ${path}`);
    else if (got !== hash) lines.push(`different bytes: ${path}`);
  }
  for (const path of actual.keys()) if (!expected.has(path)) lines.push(`extra: ${path}`);
  return lines.sort();
}

/** Summarises a difference list for an assertion message: a count and the first few lines. */
export function describeDifferences(lines: readonly string[], max = 10): string {
  const shown = lines.slice(0, max).join('\n  ');
  return `${lines.length} differences:\n  ${shown}${lines.length > max ? `\n  … and ${lines.length - max} more` : ''}`;
}

/** The non-empty lines of a text. */
export function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** Lines that look like a JavaScript stack frame (`    at fn (file:line)`). */
export function stackFrames(text: string): string[] {
  return text.split('\n').filter((line) => /^\s+at /.test(line));
}

/** A small seeded PRNG (mulberry32): the same seed gives the same run, so failures can be replayed. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  /** An integer in [min, max]. */
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  /** One element of a non-empty array. */
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  /** `count` distinct elements (fewer if the array is shorter), in random order. */
  const sample = <T>(items: readonly T[], count: number): T[] => {
    const copy = [...items];
    const n = Math.min(count, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, n);
  };
  return { next, int, pick, sample };
}
