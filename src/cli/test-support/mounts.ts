import { execFileSync } from 'node:child_process';

/**
 * Real mounts for environment-fault tests (a small tmpfs for a full disk, a read-only bind mount):
 * they hold as root, which ignores file modes. Every mount made is undone by `releaseAll`.
 */
export class TestMounts {
  readonly #targets: string[] = [];

  /** Runs `mount ARGS` for `target`; the reason it failed (to skip the test), or undefined. */
  mount(target: string, ...args: string[]): string | undefined {
    try {
      execFileSync('mount', [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      this.#targets.push(target);
      return undefined;
    } catch (err) {
      return String((err as { stderr?: Buffer }).stderr ?? err).trim() || 'mount failed';
    }
  }

  umount(target: string): void {
    execFileSync('umount', [target]);
    this.#targets.splice(this.#targets.indexOf(target), 1);
  }

  /** Unmounts everything still mounted, newest first (an `after` hook calls it). */
  releaseAll(): void {
    for (const target of this.#targets.reverse()) {
      try {
        execFileSync('umount', [target], { stdio: 'ignore' });
      } catch {
        // Already unmounted.
      }
    }
    this.#targets.length = 0;
  }
}
