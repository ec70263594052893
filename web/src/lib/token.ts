// The API token lives in sessionStorage: asked for once per browser tab, gone when the tab closes,
// never in localStorage or a cookie (so no other origin's request carries it).
const KEY = 'strata.token';

/** The token of this tab, or null before login. */
export function readToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
