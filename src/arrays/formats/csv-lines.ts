import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** One line of a text file: its 1-based number and text without the line ending. */
export interface Line {
  readonly number: number;
  readonly text: string;
}

/**
 * The lines of a text file, streamed in 1 MiB reads, yielded in arrays (one per read) so the
 * per-line cost is a split, not an await. `onBytes` reports bytes read of the file's total.
 */
export async function* readLines(
  path: string,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<readonly Line[]> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let number = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    onBytes?.(bytes);
    const parts = (carry + decoder.write(chunk)).split('\n');
    carry = parts.pop()!;
    yield parts.map((text) => ({ number: ++number, text: text.endsWith('\r') ? text.slice(0, -1) : text }));
  }
  const rest = carry + decoder.end();
  if (rest !== '') yield [{ number: ++number, text: rest.endsWith('\r') ? rest.slice(0, -1) : rest }];
}

/** The fields of a CSV line: split on commas, trimmed, one level of double quotes removed. */
export function splitFields(text: string): string[] {
  if (!/["\s]/.test(text)) return text.split(',');
  return text.split(',').map((field) => {
    const f = field.trim();
    return f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1).trim() : f;
  });
}
