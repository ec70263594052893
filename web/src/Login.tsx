import { useState, type FormEvent } from 'react';
import { checkToken } from './lib/api';
import { ApiError } from './lib/http';
import { saveToken } from './lib/token';

/** Asks for an API token (`strata token create NAME --scope read`), checks it, keeps it for this tab. */
export function Login({ onLogin }: { onLogin: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await checkToken(token.trim());
      saveToken(token.trim());
      onLogin();
    } catch (err) {
      setError(
        err instanceof ApiError && (err.status === 401 || err.status === 403)
          ? 'The server refused this token.'
          : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="login" onSubmit={submit}>
      <h1>Strata</h1>
      <label>
        API token
        <input
          name="token"
          type="password"
          autoComplete="off"
          autoFocus
          value={token}
          onChange={(e) => setToken(e.target.value)}
          placeholder="from: strata token create NAME --scope read"
        />
      </label>
      <button type="submit" disabled={busy || token.trim() === ''}>
        Log in
      </button>
      {error !== null && <p className="error">{error}</p>}
    </form>
  );
}
