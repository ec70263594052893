import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../errors/index.js';
import { hashBytes } from '../../util/hash.js';
import { DEFAULT_GRAMMAR, type NamingGrammar } from '../naming/grammar.js';
import {
  BUILTIN_TRAITS,
  checkSpecification,
  looksLikeSpecification,
  type Specification,
} from './specification.js';
import * as validators from './validators.js';

/** What a specification module's factory receives, so it needs no import of Strata itself. */
export interface SpecificationKit {
  readonly validators: typeof validators;
  readonly builtinTraits: typeof BUILTIN_TRAITS;
}

/** A loaded specification and the module it came from (workers import the module again). */
export interface LoadedSpecification {
  readonly spec: Specification;
  /** Absolute path of its module. */
  readonly modulePath: string;
}

/** The specifications of a config, by name, with a fingerprint of their modules' contents. */
export interface SpecificationSet {
  readonly byName: ReadonlyMap<string, LoadedSpecification>;
  /** Changes when any module's content changes: the next update re-reads every file. */
  readonly fingerprint: string;
}

const LOADABLE = new Set(['.js', '.mjs']);
export const KIT: SpecificationKit = { validators, builtinTraits: BUILTIN_TRAITS };

/** Resolves a `specification_files` entry against the config's folder; refuses `..` and other extensions. */
export function resolveSpecificationPath(file: string, baseDir: string): string {
  if (file.split(/[\\/]/).includes('..'))
    throw new ConfigError(`specification_files: '${file}' must not contain '..'`, { file });
  const ext = path.extname(file).toLowerCase();
  if (ext === '.ts' || ext === '.mts' || ext === '.cts')
    throw new ConfigError(
      `specification_files: '${file}' is TypeScript; compile it to .js first (e.g. npx tsc or npx esbuild ${file} --outfile=${file.replace(/\.[cm]?ts$/i, '.js')})`,
      { file },
    );
  if (!LOADABLE.has(ext))
    throw new ConfigError(`specification_files: '${file}' must be a .js or .mjs module`, { file });
  return path.resolve(baseDir, file);
}

/** The specifications one module exports: default and named exports; objects, lists, or factories of them. */
export async function specificationsOfModule(
  modulePath: string,
  grammar: NamingGrammar = DEFAULT_GRAMMAR,
): Promise<Specification[]> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  } catch (err) {
    const message = (err as Error).message?.split('\n')[0] ?? String(err);
    throw new ConfigError(`specification module ${modulePath} does not load: ${message}`, {
      file: modulePath,
      problem: message,
    });
  }
  const found: Specification[] = [];
  for (const [exportName, exported] of Object.entries(module).sort(([a], [b]) => (a < b ? -1 : 1))) {
    let value = exported;
    if (typeof value === 'function') {
      try {
        value = (value as (kit: SpecificationKit) => unknown)(KIT);
      } catch (err) {
        throw new ConfigError(
          `specification module ${modulePath}: export '${exportName}' threw: ${(err as Error).message}`,
          { file: modulePath, export: exportName },
        );
      }
    }
    const candidates = Array.isArray(value) ? value : [value];
    for (const c of candidates) {
      if (!looksLikeSpecification(c)) {
        if (Array.isArray(value) || typeof exported === 'function')
          throw new ConfigError(
            `specification module ${modulePath}: export '${exportName}' gives something that is not a specification (an object with name and assetType)`,
            { file: modulePath, export: exportName },
          );
        continue;
      }
      found.push(checkSpecification(c, `${modulePath} (export '${exportName}')`, grammar));
    }
  }
  // A module may export the same specification as default and named: keep one of each object.
  const unique = [...new Set(found)];
  if (unique.length === 0)
    throw new ConfigError(`specification module ${modulePath} exports no specification`, {
      file: modulePath,
      problem: 'no specification',
    });
  return unique;
}

/**
 * Loads every module of `specification_files` (relative to `baseDir`, the config file's folder).
 * Any module that does not load, exports no specification or a bad one, or two specifications
 * with one name, is a ConfigError naming the file and the problem.
 */
export async function loadSpecifications(
  files: readonly string[],
  baseDir: string,
  grammar: NamingGrammar = DEFAULT_GRAMMAR,
): Promise<SpecificationSet> {
  const byName = new Map<string, LoadedSpecification>();
  const prints: string[] = [grammar.grammarVersion];
  for (const file of files) {
    const modulePath = resolveSpecificationPath(file, baseDir);
    let content: Buffer;
    try {
      content = readFileSync(modulePath);
    } catch (err) {
      throw new ConfigError(`specification module ${modulePath} does not load: ${(err as Error).message}`, {
        file: modulePath,
      });
    }
    prints.push(`${modulePath}\0${hashBytes(content)}`);
    for (const spec of await specificationsOfModule(modulePath, grammar)) {
      const other = byName.get(spec.name);
      if (other && other.spec !== spec)
        throw new ConfigError(
          `specification '${spec.name}' is defined twice: in ${other.modulePath} and ${modulePath}`,
          { file: modulePath, specification: spec.name },
        );
      byName.set(spec.name, { spec, modulePath });
    }
  }
  return { byName, fingerprint: hashBytes(Buffer.from(prints.join('\n'))) };
}
