import { ApiError } from '../lib/http';

/** An error as one readable line, with the server's stable code when there is one. */
export function ErrorNote({ error }: { error: Error | undefined | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error instanceof ApiError && error.code !== '' ? <code>{error.code}</code> : null} {error.message}
    </p>
  );
}
