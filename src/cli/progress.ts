/**
 * A progress callback for long work: on a terminal it shows a bar, but only once the work has
 * taken more than a second (short commands stay quiet); elsewhere it prints nothing.
 */
export type ProgressCallback = (done: number, total: number, detail?: string) => void;

/**
 * With STRATA_PROGRESS=lines, every update is one line on stderr instead (`progress <label>
 * <done>/<total>`), on a terminal or not: for scripts and tests that act on how far work has come
 * (the crash tests kill a commit at chosen points of its work, not after a wall-clock delay).
 */
export async function createProgress(label: string): Promise<{ update: ProgressCallback; stop(): void }> {
  if (process.env.STRATA_PROGRESS === 'lines')
    return {
      update: (done, total, detail) =>
        process.stderr.write(`progress ${label} ${done}/${total}${detail ? ` ${detail}` : ''}\n`),
      stop: () => undefined,
    };
  if (!process.stderr.isTTY || process.env.CI) return { update: () => undefined, stop: () => undefined };
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const started = Date.now();
  let bar: InstanceType<typeof SingleBar> | undefined;
  return {
    update(done, total, detail) {
      if (!bar) {
        if (Date.now() - started < 1000) return;
        bar = new SingleBar(
          {
            format: `${label} [{bar}] {percentage}% | {value}/{total} {detail}`,
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: true,
          },
          Presets.shades_classic,
        );
        bar.start(total, done, { detail: detail ?? '' });
      }
      bar.setTotal(total);
      bar.update(done, { detail: detail ?? '' });
    },
    stop() {
      bar?.stop();
    },
  };
}
