/**
 * Summarises V8 CPU profiles (from BENCH_CPU_PROF=DIR or `node --cpu-prof`): the functions with the
 * most self time, and the same grouped by source file.
 *
 *   node dist/bench/profile.js FILE_OR_DIR... [--top N] [--match WORD] [--inclusive F1,F2,...]
 *
 * --inclusive also prints, for each named function, the time spent in it or anything it called
 * (e.g. `--inclusive scanFolder,fingerprint,buildMap`).
 *
 * With a folder, every *.cpuprofile in it whose name contains WORD (all without --match) is
 * summed. Paths are shown relative to the project when they are inside it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from './lib/paths.js';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function where(url: string, line: number): string {
  let path = url.startsWith('file://') ? fileURLToPath(url) : url || '(native)';
  if (path.startsWith(PROJECT_ROOT)) path = path.slice(PROJECT_ROOT.length);
  return url ? `${path}:${line + 1}` : path;
}

function main(argv: string[]): void {
  let top = 25;
  let match = '';
  let inclusiveNames: string[] = [];
  const inputs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--top') top = Number(argv[++i]);
    else if (argv[i] === '--match') match = argv[++i] ?? '';
    else if (argv[i] === '--inclusive') inclusiveNames = (argv[++i] ?? '').split(',').filter(Boolean);
    else inputs.push(argv[i]!);
  }
  const files = inputs.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.cpuprofile') && f.includes(match))
          .map((f) => join(p, f))
      : [p],
  );
  if (files.length === 0) {
    console.error('no .cpuprofile files found');
    process.exitCode = 1;
    return;
  }
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const inclusive = new Map<string, number>(inclusiveNames.map((n) => [n, 0]));
  let total = 0;
  let wall = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    wall += (profile.endTime - profile.startTime) / 1000;
    profile.samples.forEach((id, i) => {
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
      const fn = `${functionName || '(anonymous)'}  ${where(url, lineNumber)}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
      const f = url ? where(url, -1).replace(/:0$/, '') : `(${functionName})`;
      byFile.set(f, (byFile.get(f) ?? 0) + ms);
      total += ms;
      if (inclusive.size > 0) {
        const onStack = new Set<string>();
        for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
          const name = nodes.get(n)!.callFrame.functionName;
          if (inclusive.has(name)) onStack.add(name);
        }
        for (const name of onStack) inclusive.set(name, inclusive.get(name)! + ms);
      }
    });
  }
  const show = (title: string, map: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [name, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${name}`);
    }
  };
  console.log(
    `${files.length} profile(s), ${wall.toFixed(1)} ms profiled in all (mean ${(wall / files.length).toFixed(1)} ms)`,
  );
  show('self time by function', byFunction);
  show('self time by file', byFile);
  if (inclusive.size > 0) show('inclusive time (the function and everything it called)', inclusive);
}

main(process.argv.slice(2));
