/** For tests: the live search child processes (see `runSqliteSearch`) of a process. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** True where processes can be listed (`/proc`, i.e. Linux). */
export const CAN_LIST_PROCESSES = existsSync('/proc/self/stat');

/** The pids of the live (not zombie) search child processes whose parent is `parent`. */
export function searchChildrenOf(parent: number = process.pid): number[] {
  if (!CAN_LIST_PROCESSES) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces and parentheses): state, ppid, ...
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) !== parent || state === 'Z') continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('sqlite-search-child'))
        found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** True while process `pid` runs (a zombie, which only waits to be reaped, counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}
