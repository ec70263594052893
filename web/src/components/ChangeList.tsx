import type { FileChange } from '../lib/types';

/** A diff as a list: one line per changed path, marked added / modified / deleted. */
export function ChangeList({ changes }: { changes: readonly FileChange[] }) {
  if (changes.length === 0) return <p className="muted">No changes.</p>;
  return (
    <ul className="changes">
      {changes.map((c) => (
        <li key={`${c.kind}:${c.path}`} className={`change ${c.kind}`}>
          <span className="kind">{c.kind}</span> <code>{c.path}</code>
        </li>
      ))}
    </ul>
  );
}
