import { userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';

/** The values a results-folder template can use. */
export interface TemplateValues {
  readonly HOST: string;
  readonly TAG: string;
  readonly USER: string;
  readonly DATE: string;
}

/**
 * The values for a snapshot about to be made. The commit id is known only once the commit is
 * written, and the folder must be filled before (its files are part of the commit), so `{TAG}`
 * falls back to a fresh 8-hex-digit token; the folder's name is recorded in the commit's `results`
 * section, which is how reports find a snapshot's results.
 */
export function templateValues(host: string, tags: readonly string[], now = new Date()): TemplateValues {
  let user = process.env.STRATA_AUTHOR ?? process.env.USER ?? '';
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = 'unknown';
    }
  }
  return {
    HOST: host,
    TAG: tags[0] ?? randomBytes(4).toString('hex'),
    USER: user.replace(/[^A-Za-z0-9._-]/g, '_'),
    DATE: now.toISOString().slice(0, 10),
  };
}

/** The folder a template names for these values, e.g. `snapshots/gpu1-SVC-1`. */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\{(HOST|TAG|USER|DATE)\}/g, (_m, name: keyof TemplateValues) => values[name]);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Matches the paths inside earlier snapshots' results folders (the template with each variable as
 * one path segment's worth of characters): those files are filed away already and never move again.
 */
export function filedAwayPattern(template: string): RegExp {
  const parts = template.split(/\{(?:HOST|TAG|USER|DATE)\}/).map(escape);
  return new RegExp(`^${parts.join('[^/]+')}/`);
}
