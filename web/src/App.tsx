// The shell: the login form until a token is saved, then the tabs, one per capability. The tab
// is the URL's hash (`#/data`, `#/graph`, …) so a reload or a link lands on the same tab.
import { lazy, Suspense, useEffect, useState, type ReactElement } from 'react';
import { Login } from './Login';
import { UNAUTHORIZED_EVENT } from './lib/http';
import { forgetToken, readToken } from './lib/token';
import { DataTab } from './tabs/DataTab';

// The Data tab is the landing page and comes in the first bundle; the others load when opened,
// so the first page of rows waits for less script.
const ColumnsTab = lazy(() => import('./tabs/ColumnsTab').then((m) => ({ default: m.ColumnsTab })));
const ConfigTab = lazy(() => import('./tabs/ConfigTab').then((m) => ({ default: m.ConfigTab })));
const FilesTab = lazy(() => import('./tabs/FilesTab').then((m) => ({ default: m.FilesTab })));
const GraphTab = lazy(() => import('./tabs/GraphTab').then((m) => ({ default: m.GraphTab })));
const HistoryTab = lazy(() => import('./tabs/HistoryTab').then((m) => ({ default: m.HistoryTab })));
const JobsTab = lazy(() => import('./tabs/JobsTab').then((m) => ({ default: m.JobsTab })));

const TABS: readonly { id: string; label: string; render: () => ReactElement }[] = [
  { id: 'data', label: 'Data', render: () => <DataTab /> },
  { id: 'graph', label: 'Graph', render: () => <GraphTab /> },
  { id: 'history', label: 'History', render: () => <HistoryTab /> },
  { id: 'files', label: 'Files', render: () => <FilesTab /> },
  { id: 'columns', label: 'Columns', render: () => <ColumnsTab /> },
  { id: 'jobs', label: 'Jobs', render: () => <JobsTab /> },
  { id: 'config', label: 'Config', render: () => <ConfigTab /> },
];

const tabOfHash = () => {
  const id = location.hash.replace(/^#\/?/, '').split('/')[0];
  return TABS.some((t) => t.id === id) ? id! : 'data';
};

export function App() {
  const [token, setToken] = useState(readToken);
  const [tab, setTab] = useState(tabOfHash);

  useEffect(() => {
    const onHash = () => setTab(tabOfHash());
    const onUnauthorized = () => setToken(null);
    window.addEventListener('hashchange', onHash);
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    };
  }, []);

  if (token === null) return <Login onLogin={() => setToken(readToken())} />;
  const current = TABS.find((t) => t.id === tab)!;
  return (
    <div className="app">
      <header>
        <span className="brand">Strata</span>
        <nav>
          {TABS.map((t) => (
            <a key={t.id} href={`#/${t.id}`} className={t.id === tab ? 'active' : ''} data-tab={t.id}>
              {t.label}
            </a>
          ))}
        </nav>
        <button
          className="link"
          onClick={() => {
            forgetToken();
            setToken(null);
          }}
        >
          Log out
        </button>
      </header>
      <main key={current.id}>
        <Suspense fallback={<p className="muted">loading…</p>}>{current.render()}</Suspense>
      </main>
    </div>
  );
}
