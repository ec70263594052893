import { hashBytes } from '../../util/hash.js';

/**
 * The secret strings in a config: every string value under a key matching `pattern`, and the
 * user:password part of any URL found there (drivers print hosts, and sometimes the whole URL).
 */
export function secretValues(config: unknown, pattern: string | RegExp): string[] {
  const re = typeof pattern === 'string' ? new RegExp(pattern) : pattern;
  const found = new Set<string>();
  const addUrlParts = (value: string) => {
    try {
      const url = new URL(value);
      if (url.password) found.add(decodeURIComponent(url.password)).add(url.password);
    } catch {
      // not a URL
    }
  };
  const walk = (value: unknown, secret: boolean): void => {
    if (typeof value === 'string') {
      if (secret && value.length > 0) found.add(value);
      addUrlParts(value);
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, secret));
    else if (value !== null && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, secret || re.test(k));
  };
  walk(config, false);
  // Longest first, so a URL is replaced whole before its password alone is.
  return [...found].sort((a, b) => b.length - a.length);
}

/** `text` with every secret replaced by `REDACTED` (or a stable short hash). */
export function redactText(text: string, secrets: readonly string[], hash = false): string {
  let out = text;
  for (const secret of secrets) {
    if (!out.includes(secret)) continue;
    const mask = hash ? `hash-${hashBytes(Buffer.from(JSON.stringify(secret))).slice(0, 16)}` : 'REDACTED';
    out = out.split(secret).join(mask);
  }
  return out;
}
