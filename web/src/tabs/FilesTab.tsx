// Files: the files of any revision's resources (paged, filtered by a path prefix), a download of
// one, and the diff between two revisions.
import { useState, type FormEvent } from 'react';
import { ChangeList } from '../components/ChangeList';
import { CursorPager, useCursor } from '../components/CursorPager';
import { ErrorNote } from '../components/ErrorNote';
import { commitDetails, diff, downloadFile, refs, tree } from '../lib/api';
import { bytes } from '../lib/format';
import type { FileChange } from '../lib/types';
import { useLoad } from '../lib/use-load';

export function FilesTab() {
  const refList = useLoad(refs, []);
  const [revision, setRevision] = useState('HEAD');
  const commit = useLoad(() => commitDetails(revision), [revision]);
  const [chosen, setChosen] = useState<string | null>(null);
  const resources = commit.value?.resources ?? [];
  const resource = chosen !== null && resources.some((r) => r.name === chosen) ? chosen : resources[0]?.name;

  const revisions = [
    'HEAD',
    ...(refList.value?.branches.map((b) => b.name) ?? []),
    ...(refList.value?.tags.map((t) => t.name) ?? []),
  ];
  return (
    <section className="files-tab">
      <div className="toolbar">
        <label>
          Revision{' '}
          <select name="revision" value={revision} onChange={(e) => setRevision(e.target.value)}>
            {revisions.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Resource{' '}
          <select name="resource" value={resource ?? ''} onChange={(e) => setChosen(e.target.value)}>
            {resources.map((r) => (
              <option key={r.name} value={r.name}>
                {r.name} ({r.role}, {r.files.toLocaleString()} files, {bytes(r.bytes)})
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={commit.error} />
      {resource !== undefined && (
        <FileList key={`${revision}:${resource}`} revision={revision} resource={resource} />
      )}
      <DiffForm revisions={revisions} />
    </section>
  );
}

function FileList({ revision, resource }: { revision: string; resource: string }) {
  const [prefix, setPrefix] = useState('');
  const pages = useCursor();
  const listing = useLoad(() => tree(revision, resource, prefix, pages.cursor), [prefix, pages.cursor]);
  const [downloadError, setDownloadError] = useState<Error>();
  return (
    <div className="file-list">
      <div className="toolbar">
        <input
          name="prefix"
          placeholder="path prefix, e.g. images/"
          value={prefix}
          onChange={(e) => {
            setPrefix(e.target.value);
            pages.reset();
          }}
        />
      </div>
      <ErrorNote error={listing.error ?? downloadError} />
      {listing.value && (
        <>
          <table className="files">
            <thead>
              <tr>
                <th>path</th>
                <th>size</th>
                <th>hash</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {listing.value.files.map((f) => (
                <tr key={f.path}>
                  <td>
                    {f.path}
                    {f.symlink ? ' →' : ''}
                  </td>
                  <td>{bytes(f.size)}</td>
                  <td>
                    <code className="muted">{f.hash.slice(0, 12)}</code>
                  </td>
                  <td>
                    <button
                      className="link"
                      data-download={f.path}
                      onClick={() => downloadFile(revision, resource, f.path).catch(setDownloadError)}
                    >
                      download
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {listing.value.files.length === 0 && <p className="muted">No files.</p>}
          <CursorPager
            page={pages.page}
            next={listing.value.next}
            onNext={pages.next}
            onPrevious={pages.previous}
          />
        </>
      )}
    </div>
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
