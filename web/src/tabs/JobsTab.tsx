// Jobs: start a job of any kind the API runs, watch running and finished jobs with their
// progress, cancel one. Each running job's record streams in over server-sent events as it
// changes; the list itself (new jobs, other clients' jobs) is read again every few seconds.
import { useEffect, useState } from 'react';
import { ErrorNote } from '../components/ErrorNote';
import { StartJobForm } from '../components/StartJobForm';
import { cancelJob, followJob, jobs, startAssetJob, type AssetVerb } from '../lib/api';
import { readToken } from '../lib/token';
import type { Job } from '../lib/types';

/** The asset operations a click starts (the form starts every kind, with its parameters). */
const VERBS: readonly AssetVerb[] = ['update', 'create', 'export'];
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

  useEffect(() => {
    const timer = setTimeout(() => setRound((r) => r + 1), 3000);
    return () => clearTimeout(timer);
  }, [round]);

  // Live progress: one event stream per running job, replacing its row as the record changes.
  const runningIds = (list ?? []).filter((j) => !isFinished(j)).map((j) => j.id);
  const runningKey = runningIds.join(',');
  useEffect(() => {
    const token = readToken();
    if (token === null || runningIds.length === 0) return;
    const stops = runningIds.map((id) =>
      followJob(id, token, (changed) =>
        setList((l) => l?.map((j) => (j.id === changed.id ? { ...j, ...changed } : j))),
      ),
    );
    return () => stops.forEach((stop) => stop());
  }, [runningKey]);

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
      <StartJobForm onStarted={(start) => void act(start)} />
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
              <tr
                key={j.id}
                className={`job ${j.state}`}
                data-job={j.id}
                data-kind={j.kind}
                data-state={j.state}
              >
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
