/**
 * One line for any error a driver throws: its message, or its name and code when the message is
 * empty (AWS SDK and `pg` errors often carry only a code, e.g. ECONNREFUSED inside an
 * AggregateError), plus the cause's code for `fetch failed`.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: string; errors?: unknown[]; cause?: { code?: string; message?: string } };
  const parts: string[] = [];
  if (e.message) parts.push(e.message.split('\n')[0]!);
  else if (e.name && e.name !== 'Error') parts.push(e.name);
  const code = e.code ?? (e.errors?.[0] as { code?: string } | undefined)?.code ?? e.cause?.code;
  if (code && !parts.some((p) => p.includes(code))) parts.push(`(${code})`);
  if (e.cause?.message && e.cause.message !== e.message && !e.cause.code) parts.push(`: ${e.cause.message}`);
  return parts.join(' ') || 'unknown error';
}
