import { hostname } from 'node:os';
import { AUTHOR_ENV } from '../../repo/commit/author.js';
import { readLocalParams, writeLocalParam } from '../../repo/local-params.js';
import { osUserName, type Repository } from '../../repo/repository.js';
import { InvalidArgumentError } from '../../errors/index.js';

/** Where a parameter lives: `global` shared by the repository, `local` to this working folder only. */
export type ParamScope = 'global' | 'local';

/** A known configuration parameter. */
export interface ParamSpec {
  readonly name: string;
  readonly scope: ParamScope;
  readonly help: string;
  /** The value used when none is set (computed for the hostname). */
  readonly defaultValue: () => string;
  /** Checks a value before it is stored; returns it normalised. */
  readonly check?: (value: string) => string;
}

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .join(',');

/** Every known parameter. Adding one is one entry here. */
export const PARAMS: readonly ParamSpec[] = [
  {
    name: 'results.template',
    scope: 'global',
    help:
      'subfolder of a results resource that a snapshot moves the new result files into; ' +
      'variables {HOST}, {TAG} (the first tag, else a fresh short token), {USER}, {DATE} (YYYY-MM-DD)',
    defaultValue: () => 'snapshots/{HOST}-{TAG}',
    check: (v) => checkTemplate(v),
  },
  {
    name: 'metrics.maximize',
    scope: 'global',
    help: 'comma-separated metrics where higher is better, besides the known ones (accuracy, f1, ...)',
    defaultValue: () => '',
    check: list,
  },
  {
    name: 'metrics.minimize',
    scope: 'global',
    help: 'comma-separated metrics where lower is better, besides the known ones (loss, error, ...)',
    defaultValue: () => '',
    check: list,
  },
  {
    name: 'user.name',
    scope: 'local',
    help:
      `the author name commits record (default: the system user); ${AUTHOR_ENV}='Name <email>' ` +
      'overrides user.name and user.email for one command',
    defaultValue: () => osUserName(),
    check: (v) =>
      checkIdentity(v, 'user.name', /^[^<>\r\n]*[^<>\s][^<>\r\n]*$/, 'a name without < > or line breaks'),
  },
  {
    name: 'user.email',
    scope: 'local',
    help: `the author email commits record beside the name (default: none); ${AUTHOR_ENV} overrides it`,
    defaultValue: () => '',
    check: (v) =>
      v === '' ? v : checkIdentity(v, 'user.email', /^[^<>\s@]+@[^<>\s@]+$/, 'an address like a@b.org'),
  },
  {
    name: 'scratch.directory',
    scope: 'local',
    help:
      "this machine's folder for temporary outputs of runs (STRATA_SCRATCH_DIR); never versioned " +
      '(default: scratch, relative to the repository; set by init --scratch-directory)',
    defaultValue: () => 'scratch',
  },
  {
    name: 'hostname',
    scope: 'local',
    help: "this machine's name in results folders ({HOST}); local to this working folder, never versioned",
    defaultValue: () => hostname(),
    check: (v) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v))
        throw new InvalidArgumentError(`invalid hostname '${v}': use letters, digits, '.', '_' or '-'`, {
          value: v,
        });
      return v;
    },
  },
];

function checkIdentity(value: string, name: string, pattern: RegExp, expected: string): string {
  const v = value.trim();
  if (!pattern.test(v) || v.length > 200)
    throw new InvalidArgumentError(`invalid ${name} '${value}': ${expected}, at most 200 characters`, {
      name,
      value,
    });
  return v;
}

const TEMPLATE_VARS = ['HOST', 'TAG', 'USER', 'DATE'];

/** Checks a results-folder template: relative, no `..`, known variables, and `{TAG}` present. */
export function checkTemplate(template: string): string {
  const parts = template.split('/');
  if (template === '' || template.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..'))
    throw new InvalidArgumentError(`invalid results template '${template}': a relative path without '..'`, {
      template,
    });
  for (const m of template.matchAll(/\{([^}]*)\}/g)) {
    if (!TEMPLATE_VARS.includes(m[1]!))
      throw new InvalidArgumentError(
        `unknown variable {${m[1]}} in results template; known: ${TEMPLATE_VARS.map((v) => `{${v}}`).join(' ')}`,
        { template, variable: m[1] },
      );
  }
  if (!template.includes('{TAG}'))
    throw new InvalidArgumentError(`results template '${template}' must contain {TAG}`, { template });
  return template;
}

/** The spec of a known parameter; an unknown name is refused with the list of known ones. */
export function paramSpec(name: string): ParamSpec {
  const spec = PARAMS.find((p) => p.name === name);
  if (!spec) {
    throw new InvalidArgumentError(
      `unknown config parameter '${name}'; known: ${PARAMS.map((p) => p.name).join(', ')}`,
      { name },
    );
  }
  return spec;
}

const GLOBAL_PREFIX = 'param.';

/** A parameter's value, and whether it was set or is the default. */
export interface ParamValue extends ParamSpec {
  readonly value: string;
  readonly isDefault: boolean;
}

/** A parameter's value: the one set (repository-wide or for this working folder) or its default. */
export async function getParam(repo: Repository, name: string): Promise<ParamValue> {
  const spec = paramSpec(name);
  const stored =
    spec.scope === 'global'
      ? await repo.catalog.getConfig(GLOBAL_PREFIX + name)
      : (await readLocalParams(repo))[name];
  return { ...spec, value: stored ?? spec.defaultValue(), isDefault: stored === undefined };
}

/** Every known parameter with its value, scope and help. */
export async function listParams(repo: Repository): Promise<ParamValue[]> {
  return Promise.all(PARAMS.map((p) => getParam(repo, p.name)));
}

/**
 * Sets a parameter: global ones in the catalog's config (shared by everyone using the repository),
 * local ones in the catalog's rows of this working folder (never shared, never versioned).
 */
/**
 * The longest value a parameter takes, in characters: every known value (a name, a template, a
 * list of metric names) is far shorter, and an oversized one is refused before it is echoed back.
 */
export const MAX_PARAM_LENGTH = 4096;

export async function setParam(repo: Repository, name: string, value: string): Promise<ParamValue> {
  const spec = paramSpec(name);
  if (value.length > MAX_PARAM_LENGTH) {
    throw new InvalidArgumentError(
      `the value of '${name}' is ${value.length} characters long; at most ${MAX_PARAM_LENGTH} are allowed`,
      { name, length: value.length, max: MAX_PARAM_LENGTH },
    );
  }
  const checked = spec.check ? spec.check(value) : value;
  if (name === 'results.template') {
    // Folders made with an earlier template hold filed-away results too: remember it.
    const old = (await getParam(repo, name)).value;
    const earlier = await earlierTemplates(repo);
    if (old !== checked && !earlier.includes(old))
      await repo.catalog.setConfig(EARLIER_TEMPLATES, JSON.stringify([...earlier, old]));
  }
  if (spec.scope === 'global') await repo.catalog.setConfig(GLOBAL_PREFIX + name, checked);
  else await writeLocalParam(repo, name, checked);
  return getParam(repo, name);
}

const EARLIER_TEMPLATES = 'workspace.earlier-results-templates';

/** Results templates used before the current one (their folders are never moved again). */
export async function earlierTemplates(repo: Repository): Promise<string[]> {
  const text = await repo.catalog.getConfig(EARLIER_TEMPLATES);
  return text ? (JSON.parse(text) as string[]) : [];
}

/** The current results template and every earlier one. */
export async function resultsTemplates(repo: Repository): Promise<{ current: string; all: string[] }> {
  const current = (await getParam(repo, 'results.template')).value;
  return { current, all: [current, ...(await earlierTemplates(repo))] };
}
