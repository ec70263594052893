import { bytes } from '../lib/format';
import type { FileChange } from '../lib/types';

/** A diff as a list: one line per changed file, marked added / modified / deleted. */
export function ChangeList({ changes }: { changes: readonly FileChange[] }) {
  if (changes.length === 0) return <p className="muted">No file changes.</p>;
  return (
    <ul className="changes">
      {changes.map((c) => (
        <li key={`${c.resource}:${c.path}`} className={`change ${c.change}`}>
          <span className="kind">{c.change}</span>{' '}
          <code>
            {c.resource}/{c.path}
          </code>{' '}
          <span className="muted">
            {c.size_before !== undefined && c.size_after !== undefined
              ? `${bytes(c.size_before)} → ${bytes(c.size_after)}`
              : bytes(c.size_after ?? c.size_before)}
          </span>
        </li>
      ))}
    </ul>
  );
}
