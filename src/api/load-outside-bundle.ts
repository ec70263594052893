import { compiledModuleUrl } from '../util/compiled-module-url.js';

/**
 * Imports a module of the compiled tree by URL, so the CLI bundle (dist/strata.js) does not inline
 * it: heavy pipelines (zod, yaml, sharp, worker pools) load only when their command runs. From the
 * bundle the module lives under dist/src/; from dist/src/api/ it is one folder up. `path` is
 * relative to src/, e.g. `assets/update/pipeline.js`.
 *
 * From the bundle, the module's error classes are a second copy of Strata's: its errors are
 * rebuilt with this copy's StrataError, so a user's mistake is still one line and exit code 1.
 */
export async function loadOutsideBundle<T>(path: string): Promise<T> {
  const module = (await import(compiledModuleUrl(path).href)) as Record<string, unknown>;
  const { StrataError } = await import('../errors/index.js');
  const convert = (err: unknown): never => {
    const e = err as {
      code?: unknown;
      message?: string;
      data?: Record<string, unknown>;
      userError?: unknown;
    };
    if (!(err instanceof StrataError) && typeof e?.code === 'string' && typeof e.userError === 'boolean')
      throw new StrataError(e.code, e.message ?? e.code, e.data ?? {}, e.userError);
    throw err;
  };
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(module)) {
    wrapped[name] =
      typeof value === 'function'
        ? (...args: unknown[]) => {
            try {
              const result = (value as (...a: unknown[]) => unknown)(...args);
              return result instanceof Promise ? result.catch(convert) : result;
            } catch (err) {
              return convert(err);
            }
          }
        : value;
  }
  return wrapped as T;
}
