import { runInterruptCleanups } from '../util/interrupt-cleanup.js';

/** Exit codes of a process ended by a signal, as shells report them (128 + the signal number). */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

let exiting = false;

/** Runs the interrupt cleanups (locks, temp files) once, then exits with `code`. */
async function cleanUpAndExit(code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    await runInterruptCleanups();
  }
  process.exit(code);
}

/**
 * Makes an interrupted `strata` leave the repository clean: on SIGINT (Ctrl-C) or SIGTERM it
 * releases its locks and removes its temp files, then exits 130 or 143; a second signal while
 * that runs exits at once. When the reader of stdout goes away (`strata log | head`), the EPIPE
 * is not an error: the same cleanup runs and the exit code is 0.
 *
 * `strata run` forwards these signals to the command it runs and waits for it; while it has its
 * own listener, this one leaves the signal to it.
 */
export function installInterruptHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (exiting) process.exit(EXIT_CODES[signal]);
      if (process.listenerCount(signal) > 1) return;
      void cleanUpAndExit(EXIT_CODES[signal]);
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') void cleanUpAndExit(0);
      else throw err;
    });
  }
}
