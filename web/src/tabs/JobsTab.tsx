// Jobs: start an asset operation, watch running and finished jobs with their progress, cancel
// one. The list is refreshed twice a second while a job runs, every few seconds otherwise.
import { useEffect, useState } from 'react';
import { ErrorNote } from '../components/ErrorNote';
import { cancelJob, jobs, startAssetJob, type AssetVerb } from '../lib/api';
import type { Job } from '../lib/types';

/** The asset operations the server runs as jobs. */
const VERBS: readonly AssetVerb[] = ['update'];
const FINISHED = new Set(['completed', 'completed_with_errors', 'failed', 'cancelled']);

export const isFinished = (job: Job) => FINISHED.has(job.state);

export function JobsTab() {
  const [list, setList] = useState<readonly Job[] | undefined>();
  const [error, setError] = useState<Error>();
  const [round, setRound] = useState(0);

  useEffect(() => {
    let alive = true;
    jobs().then(
      (answer) => {
        if (!alive) return;
        setList(answer.jobs);
        setError(undefined);
      },
      (e: Error) => alive && setError(e),
    );
    return () => {
      alive = false;
    };
  }, [round]);

  const running = list?.some((j) => !isFinished(j)) ?? false;
  useEffect(() => {
    const timer = setTimeout(() => setRound((r) => r + 1), running ? 500 : 3000);
    return () => clearTimeout(timer);
  }, [round, running]);

  async function act(action: () => Promise<unknown>) {
    try {
      await action();
      setRound((r) => r + 1);
    } catch (e) {
      setError(e as Error);
    }
  }

  return (
    <section className="jobs-tab">
      <div className="toolbar">
        <span>Assets:</span>
        {VERBS.map((v) => (
          <button key={v} data-start={v} onClick={() => act(() => startAssetJob(v))}>
            {v}
          </button>
        ))}
      </div>
      <ErrorNote error={error} />
      {list && list.length === 0 && <p className="muted">No jobs yet.</p>}
      {list && list.length > 0 && (
        <table className="jobs">
          <thead>
            <tr>
              <th>job</th>
              <th>kind</th>
              <th>state</th>
              <th>progress</th>
              <th>started</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((j) => (
              <tr key={j.id} className={`job ${j.state}`} data-job={j.id} data-state={j.state}>
                <td>
                  <code>{j.id.slice(0, 12)}</code>
                </td>
                <td>{j.kind}</td>
                <td className="state">{j.state}</td>
                <td>
                  <Progress job={j} />
                  {j.errors.map((e, i) => (
                    <div key={i} className="error">
                      {e.code ? <code>{e.code}</code> : null} {e.message}
                    </div>
                  ))}
                </td>
                <td>{j.createdAt ? new Date(j.createdAt).toLocaleTimeString() : ''}</td>
                <td>
                  {!isFinished(j) && (
                    <button className="link" onClick={() => act(() => cancelJob(j.id))}>
                      cancel
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The running task's own progress when it reports one, else the job's tasks done of total. */
function Progress({ job }: { job: Job }) {
  const p = job.progress ?? (job.counts.total > 0 ? job.counts : null);
  const fraction =
    job.state === 'completed' ? 1 : p && p.total > 0 ? Math.min(1, p.done / p.total) : undefined;
  return (
    <div className="progress">
      <div className="bar">
        <div
          className={fraction === undefined ? 'fill busy' : 'fill'}
          style={{ width: `${Math.round((fraction ?? 1) * 100)}%` }}
        />
      </div>
      <span className="muted">{p ? `${p.done.toLocaleString()} / ${p.total.toLocaleString()}` : ''}</span>
    </div>
  );
}
