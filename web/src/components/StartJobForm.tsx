// The form that starts a job of any kind the API runs: the asset operations, a column import, a
// merge and a compute run, each with the parameters its route takes. Only the server's own config
// decides what a compute run may execute: the form names a collection, never code.
import { useState, type FormEvent } from 'react';
import { startAssetJob, startColumnImport, startComputeRun, startMerge } from '../lib/api';

const KINDS = [
  'assets.update',
  'assets.create',
  'assets.export',
  'assets.delete',
  'assets.workflow',
  'columns.import',
  'merge',
  'compute.run',
] as const;
type Kind = (typeof KINDS)[number];
const STEPS = ['delete', 'update', 'create', 'export'] as const;

/** Splits a list typed with commas, spaces or newlines. */
const words = (text: string) => text.split(/[\s,]+/).filter((w) => w !== '');

export function StartJobForm({ onStarted }: { onStarted: (start: () => Promise<{ job: string }>) => void }) {
  const [kind, setKind] = useState<Kind>('assets.update');
  const [steps, setSteps] = useState<readonly string[]>([]);
  const [column, setColumn] = useState('');
  const [path, setPath] = useState('');
  const [create, setCreate] = useState(false);
  const [revision, setRevision] = useState('');
  const [strategy, setStrategy] = useState('');
  const [message, setMessage] = useState('');
  const [collection, setCollection] = useState('');
  const [ids, setIds] = useState('');
  const [args, setArgs] = useState('');
  const [recompute, setRecompute] = useState(false);

  /** The request of the chosen kind, with its parameters. */
  function request(): () => Promise<{ job: string }> {
    switch (kind) {
      case 'assets.workflow':
        return () => startAssetJob('workflow', steps.length > 0 ? { steps } : {});
      case 'columns.import':
        return () => startColumnImport(column, { path, create });
      case 'merge':
        return () =>
          startMerge({
            revision,
            ...(strategy ? { strategy: strategy as 'ours' | 'theirs' } : {}),
            ...(message ? { message } : {}),
          });
      case 'compute.run':
        return () =>
          startComputeRun(collection, {
            ids: words(ids),
            recompute,
            ...(args.trim() ? { args: JSON.parse(args) as unknown } : {}),
          });
      default:
        return () => startAssetJob(kind.slice('assets.'.length) as 'update');
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    onStarted(request());
  }

  const field = (name: string, label: string, value: string, set: (v: string) => void, required = true) => (
    <label>
      {label} <input name={name} value={value} required={required} onChange={(e) => set(e.target.value)} />
    </label>
  );

  const flag = (name: string, checked: boolean, set: (v: boolean) => void) => (
    <label>
      <input type="checkbox" name={name} checked={checked} onChange={(e) => set(e.target.checked)} /> {name}
    </label>
  );

  return (
    <form className="start-job toolbar" onSubmit={submit}>
      <label>
        Start{' '}
        <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </label>
      {kind === 'assets.workflow' &&
        STEPS.map((step) => (
          <label key={step}>
            <input
              type="checkbox"
              name={`step-${step}`}
              checked={steps.includes(step)}
              onChange={(e) =>
                setSteps((s) =>
                  e.target.checked
                    ? STEPS.filter((x) => x === step || s.includes(x))
                    : s.filter((x) => x !== step),
                )
              }
            />{' '}
            {step}
          </label>
        ))}
      {kind === 'columns.import' && (
        <>
          {field('column', 'column', column, setColumn)}
          {field('path', 'path', path, setPath)}
          {flag('create', create, setCreate)}
        </>
      )}
      {kind === 'merge' && (
        <>
          {field('revision', 'revision', revision, setRevision)}
          <label>
            strategy{' '}
            <select name="strategy" value={strategy} onChange={(e) => setStrategy(e.target.value)}>
              <option value="">refuse conflicts</option>
              <option value="ours">ours</option>
              <option value="theirs">theirs</option>
            </select>
          </label>
          {field('message', 'message', message, setMessage, false)}
        </>
      )}
      {kind === 'compute.run' && (
        <>
          {field('collection', 'collection', collection, setCollection)}
          {field('ids', 'ids', ids, setIds)}
          {field('args', 'args (JSON)', args, setArgs, false)}
          {flag('recompute', recompute, setRecompute)}
        </>
      )}
      <button type="submit" data-start-kind={kind}>
        Start
      </button>
    </form>
  );
}
