import { ErrorNote } from '../components/ErrorNote';
import { assetConfig } from '../lib/api';
import { useLoad } from '../lib/use-load';

/** Config: the asset configuration as the server holds it (secrets redacted there), and the API docs. */
export function ConfigTab() {
  const config = useLoad(assetConfig, []);
  return (
    <section className="config-tab">
      <p>
        API:{' '}
        <a href="/api/docs" target="_blank" rel="noreferrer">
          interactive docs
        </a>{' '}
        ·{' '}
        <a href="/api/openapi.json" target="_blank" rel="noreferrer">
          OpenAPI document
        </a>
      </p>
      <h2>Asset configuration</h2>
      <ErrorNote error={config.error} />
      {config.value !== undefined && <pre className="config">{JSON.stringify(config.value, null, 2)}</pre>}
    </section>
  );
}
