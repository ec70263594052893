// Columns: every column's schema and counts; a column's sample keys page by page; one sample in
// the viewer.
import { useState } from 'react';
import { ErrorNote } from '../components/ErrorNote';
import { Pager } from '../components/Pager';
import { SampleViewer } from '../components/SampleViewer';
import { columns, samples } from '../lib/api';
import { bytes } from '../lib/format';
import type { ColumnSummary } from '../lib/types';
import { useLoad } from '../lib/use-load';

const PAGE = 50;

export function ColumnsTab() {
  const list = useLoad(() => columns(), []);
  const [column, setColumn] = useState<ColumnSummary | null>(null);
  return (
    <section className="columns-tab">
      <ErrorNote error={list.error} />
      {list.value && (
        <table className="columns">
          <thead>
            <tr>
              <th>column</th>
              <th>kind</th>
              <th>dtype</th>
              <th>shape</th>
              <th>layout</th>
              <th>samples</th>
              <th>size</th>
              <th>stored</th>
            </tr>
          </thead>
          <tbody>
            {list.value.columns.map((c) => (
              <tr
                key={c.name}
                className={column?.name === c.name ? 'selected' : ''}
                onClick={() => setColumn(c)}
              >
                <td>
                  <a>{c.name}</a>
                </td>
                <td>{c.kind}</td>
                <td>{c.dtype ?? ''}</td>
                <td>{c.shape ? `(${c.shape.join(', ')})${c.variable ? ' max' : ''}` : ''}</td>
                <td>{c.layout}</td>
                <td>{c.count.toLocaleString()}</td>
                <td>{bytes(c.rawBytes)}</td>
                <td>{bytes(c.storedBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.value?.columns.length === 0 && <p className="muted">No columns yet (strata column import).</p>}
      {column && <SampleBrowser key={column.name} column={column} />}
    </section>
  );
}

function SampleBrowser({ column }: { column: ColumnSummary }) {
  const [page, setPage] = useState(0);
  const keys = useLoad(() => samples(column.name, page * PAGE, PAGE), [column.name, page]);
  const [key, setKey] = useState<string | null>(null);
  return (
    <div className="sample-browser">
      <div className="sample-keys">
        <h3>Samples of {column.name}</h3>
        <ErrorNote error={keys.error} />
        {keys.value && (
          <>
            <ul className="keys">
              {keys.value.keys.map((k) => (
                <li key={k}>
                  <a className={k === key ? 'active' : ''} data-key={k} onClick={() => setKey(k)}>
                    {k}
                  </a>
                </li>
              ))}
            </ul>
            <Pager
              page={page}
              size={PAGE}
              total={keys.value.total}
              shown={keys.value.keys.length}
              onPage={setPage}
            />
          </>
        )}
      </div>
      {key !== null && <SampleViewer column={column} sampleKey={key} />}
    </div>
  );
}
