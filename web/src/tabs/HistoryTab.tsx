// History: snapshots newest first with one column per metric, coloured against a baseline the
// user picks (green better, red worse, by how much); a click on a row shows that commit's diff.
import { useState } from 'react';
import { ChangeList } from '../components/ChangeList';
import { ErrorNote } from '../components/ErrorNote';
import { diff, history } from '../lib/api';
import { cellText, shortId } from '../lib/format';
import { heatColor, largestChanges, relativeChange } from '../lib/heat';
import type { FileChange } from '../lib/types';
import { useLoad } from '../lib/use-load';

/** The changes a commit made: against its first parent (the server's default `from`). */
async function commitChanges(id: string): Promise<{ parent?: string; changes: readonly FileChange[] }> {
  const answer = await diff(undefined, id);
  return { parent: answer.from ?? undefined, changes: answer.changes };
}

export function HistoryTab() {
  const [baseline, setBaseline] = useState<string>('');
  const report = useLoad(() => history(baseline || undefined), [baseline]);
  const [selected, setSelected] = useState<string | null>(null);
  const changes = useLoad(
    () => (selected === null ? Promise.resolve(undefined) : commitChanges(selected)),
    [selected],
  );

  const r = report.value;
  const base = r?.rows.find((row) => row.id === r.baseline);
  const largest = r ? largestChanges(r.rows, r.columns, base) : new Map<string, number>();
  return (
    <section className="history-tab">
      <div className="toolbar">
        <label>
          Baseline{' '}
          <select name="baseline" value={baseline} onChange={(e) => setBaseline(e.target.value)}>
            <option value="">(none)</option>
            {r?.rows.map((row) => (
              <option key={row.id} value={row.id}>
                {row.tags[0] ?? shortId(row.id)} — {row.message}
              </option>
            ))}
          </select>
        </label>
        <span className="legend">
          <span className="swatch better" /> better <span className="swatch worse" /> worse than the baseline
        </span>
      </div>
      <ErrorNote error={report.error} />
      {r && (
        <div className="table-scroll">
          <table className="history heat-map">
            <thead>
              <tr>
                <th>snapshot</th>
                <th>time</th>
                <th>message</th>
                {r.columns.map((c) => (
                  <th
                    key={c}
                    title={
                      r.directions?.[c] === 'max'
                        ? 'higher is better'
                        : r.directions?.[c] === 'min'
                          ? 'lower is better'
                          : ''
                    }
                  >
                    {c} {r.directions?.[c] === 'max' ? '↑' : r.directions?.[c] === 'min' ? '↓' : ''}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {r.rows.map((row) => (
                <tr
                  key={row.id}
                  className={`${row.id === r.baseline ? 'baseline' : ''} ${row.id === selected ? 'selected' : ''}`}
                  onClick={() => setSelected(row.id)}
                >
                  <td>
                    <code>{shortId(row.id)}</code>{' '}
                    {row.tags.map((t) => (
                      <span key={t} className="tag">
                        {t}
                      </span>
                    ))}
                  </td>
                  <td>{new Date(row.time).toLocaleString()}</td>
                  <td>{row.message}</td>
                  {r.columns.map((c) => {
                    const cmp = row.compared?.[c];
                    return (
                      <td
                        key={c}
                        className={`metric ${cmp ?? ''}`}
                        data-compared={cmp}
                        style={{
                          background: heatColor(
                            cmp,
                            relativeChange(row.metrics[c], base?.metrics[c]),
                            largest.get(c) ?? 0,
                          ),
                        }}
                      >
                        {cellText(row.metrics[c])}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
          {r.rows.length === 0 && <p className="muted">No snapshots yet.</p>}
        </div>
      )}
      {selected !== null && (
        <div className="commit-diff">
          <h3>
            Changes of <code>{shortId(selected)}</code>
            {changes.value?.parent ? (
              <>
                {' '}
                against <code>{shortId(changes.value.parent)}</code>
              </>
            ) : null}
          </h3>
          <ErrorNote error={changes.error} />
          {changes.value && <ChangeList changes={changes.value.changes} />}
        </div>
      )}
    </section>
  );
}
