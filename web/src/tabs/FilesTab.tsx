// Files: browse the resources of any revision, download a file, and diff two revisions.
import { useState, type FormEvent } from 'react';
import { ChangeList } from '../components/ChangeList';
import { ErrorNote } from '../components/ErrorNote';
import { Pager } from '../components/Pager';
import { diff, downloadFile, refs, tree } from '../lib/api';
import { bytes } from '../lib/format';
import type { FileChange } from '../lib/types';
import { useLoad } from '../lib/use-load';

const PAGE = 200;

export function FilesTab() {
  const refList = useLoad(refs, []);
  const [rev, setRev] = useState('HEAD');
  const [path, setPath] = useState('');
  const [page, setPage] = useState(0);
  const listing = useLoad(() => tree(rev, path, page * PAGE, PAGE), [rev, path, page]);
  const [downloadError, setDownloadError] = useState<Error>();

  const revisions = [
    'HEAD',
    ...(refList.value?.branches.map((b) => b.name) ?? []),
    ...(refList.value?.tags.map((t) => t.name) ?? []),
  ];
  const parts = path === '' ? [] : path.split('/');
  const go = (p: string) => {
    setPath(p);
    setPage(0);
  };

  return (
    <section className="files-tab">
      <div className="toolbar">
        <label>
          Revision{' '}
          <select
            name="revision"
            value={rev}
            onChange={(e) => {
              setRev(e.target.value);
              go('');
            }}
          >
            {revisions.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <nav className="crumbs">
          <a onClick={() => go('')}>/</a>
          {parts.map((p, i) => (
            <span key={i}>
              {' '}
              <a onClick={() => go(parts.slice(0, i + 1).join('/'))}>{p}</a> /
            </span>
          ))}
        </nav>
      </div>
      <ErrorNote error={listing.error ?? downloadError} />
      {listing.value && (
        <>
          <table className="files">
            <thead>
              <tr>
                <th>name</th>
                <th>size</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {listing.value.entries.map((e) => {
                const full = e.path ?? (path === '' ? e.name : `${path}/${e.name}`);
                const isDir = e.type === 'dir' || e.type === 'tree' || e.type === 'directory';
                return (
                  <tr key={full}>
                    <td>{isDir ? <a onClick={() => go(full)}>{e.name}/</a> : e.name}</td>
                    <td>{isDir ? '' : bytes(e.size)}</td>
                    <td>
                      {!isDir && (
                        <button
                          className="link"
                          onClick={() => downloadFile(rev, full).catch(setDownloadError)}
                        >
                          download
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {(listing.value.total ?? listing.value.entries.length) > PAGE && (
            <Pager
              page={page}
              size={PAGE}
              total={listing.value.total}
              shown={listing.value.entries.length}
              onPage={setPage}
            />
          )}
        </>
      )}
      <DiffForm revisions={revisions} />
    </section>
  );
}

function DiffForm({ revisions }: { revisions: readonly string[] }) {
  const [from, setFrom] = useState('HEAD~1');
  const [to, setTo] = useState('HEAD');
  const [result, setResult] = useState<{ changes?: readonly FileChange[]; error?: Error }>({});
  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      setResult({ changes: (await diff(from, to)).changes });
    } catch (error) {
      setResult({ error: error as Error });
    }
  }
  return (
    <div className="diff">
      <h3>Diff</h3>
      <form className="toolbar" onSubmit={submit}>
        <input name="from" list="revisions" value={from} onChange={(e) => setFrom(e.target.value)} />
        <span>→</span>
        <input name="to" list="revisions" value={to} onChange={(e) => setTo(e.target.value)} />
        <datalist id="revisions">
          {revisions.map((r) => (
            <option key={r} value={r} />
          ))}
        </datalist>
        <button type="submit">Diff</button>
      </form>
      <ErrorNote error={result.error} />
      {result.changes && <ChangeList changes={result.changes} />}
    </div>
  );
}
