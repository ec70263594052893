// Columns: every column's schema and counts; a column's samples page by page; one sample in the
// viewer (images drawn, arrays with dtype, shape and values).
import { useState } from 'react';
import { CursorPager, useCursor } from '../components/CursorPager';
import { ErrorNote } from '../components/ErrorNote';
import { SampleViewer } from '../components/SampleViewer';
import { columns, samples } from '../lib/api';
import type { ColumnSchema } from '../lib/types';
import { useLoad } from '../lib/use-load';

const PAGE = 50;

export function ColumnsTab() {
  const list = useLoad(() => columns(), []);
  const [column, setColumn] = useState<ColumnSchema | null>(null);
  return (
    <section className="columns-tab">
      <ErrorNote error={list.error} />
      {list.value && list.value.columns.length > 0 && (
        <table className="columns">
          <thead>
            <tr>
              <th>column</th>
              <th>kind</th>
              <th>dtype</th>
              <th>shape</th>
              <th>layout</th>
              <th>compression</th>
              <th>samples</th>
            </tr>
          </thead>
          <tbody>
            {list.value.columns.map(({ name, count, schema }) => (
              <tr
                key={name}
                data-column={name}
                className={column?.name === name ? 'selected' : ''}
                onClick={() => setColumn({ ...schema, name })}
              >
                <td>
                  <a>{name}</a>
                </td>
                <td>{schema.kind}</td>
                <td>{schema.dtype ?? ''}</td>
                <td>{schema.shape ? `(${schema.shape.join(', ')})${schema.variable ? ' max' : ''}` : ''}</td>
                <td>{schema.layout ?? ''}</td>
                <td>{schema.compression ?? ''}</td>
                <td>{count.toLocaleString()}</td>
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

function SampleBrowser({ column }: { column: ColumnSchema }) {
  const pages = useCursor();
  const page = useLoad(() => samples(column.name, pages.cursor, PAGE), [column.name, pages.cursor]);
  const [key, setKey] = useState<string | null>(null);
  return (
    <div className="sample-browser">
      <div className="sample-keys">
        <h3>Samples of {column.name}</h3>
        <ErrorNote error={page.error} />
        {page.value && (
          <>
            <ul className="keys">
              {page.value.samples.map((s) => (
                <li key={s.key}>
                  <a className={s.key === key ? 'active' : ''} data-key={s.key} onClick={() => setKey(s.key)}>
                    {s.key}
                  </a>{' '}
                  <span className="muted">
                    {s.dtype} ({s.shape.join(', ')})
                  </span>
                </li>
              ))}
            </ul>
            <CursorPager
              page={pages.page}
              next={page.value.next}
              onNext={pages.next}
              onPrevious={pages.previous}
            />
          </>
        )}
      </div>
      {key !== null && <SampleViewer column={column} sampleKey={key} />}
    </div>
  );
}
