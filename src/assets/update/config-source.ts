import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../errors/index.js';
import { assetConfigFromEnv, readAssetConfig, type AssetConfig } from '../config/asset-config.js';
import { environmentAssetConfig } from '../config/environment-config.js';
import { createGrammar, type GrammarOverrides, type NamingGrammar } from '../naming/grammar.js';

/** The config file looked for in the repository root when nothing else names one. */
export const DEFAULT_CONFIG_FILE = 'strata-assets.yaml';

/** A checked config and where it came from. */
export interface LoadedAssetConfig {
  readonly config: AssetConfig;
  /** The config file, or 'environment'. */
  readonly source: string;
  /** Where relative `specification_files` resolve: the config file's folder (the repository root for env). */
  readonly baseDir: string;
  readonly grammar: NamingGrammar;
}

/**
 * Finds the asset config: `configPath` (relative to `cwd`), else `STRATA_CONFIG_FILEPATH` or
 * `STRATA_*` variables, else `strata-assets.yaml` in the repository root. Errors name the key.
 */
export function loadAssetConfig(
  repositoryRoot: string,
  configPath?: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): LoadedAssetConfig {
  let config: AssetConfig;
  let source: string;
  let baseDir: string;
  if (configPath !== undefined) {
    if (configPath.split(/[\\/]/).includes('..'))
      throw new ConfigError(`config path '${configPath}' must not contain '..'`, { path: configPath });
    source = path.resolve(cwd, configPath);
    config = readAssetConfig(source);
    baseDir = path.dirname(source);
  } else if (environmentAssetConfig(env) === 'file') {
    source = path.resolve(cwd, env.STRATA_CONFIG_FILEPATH!);
    config = assetConfigFromEnv({ ...env, STRATA_CONFIG_FILEPATH: source });
    baseDir = path.dirname(source);
  } else if (environmentAssetConfig(env) === 'variables') {
    source = 'environment';
    config = assetConfigFromEnv(env);
    baseDir = repositoryRoot;
  } else {
    source = path.join(repositoryRoot, DEFAULT_CONFIG_FILE);
    if (!existsSync(source))
      throw new ConfigError(
        `no asset config: pass --config FILE, set STRATA_CONFIG_FILEPATH or STRATA_* variables, or write ${DEFAULT_CONFIG_FILE} in the repository root`,
        { key: 'config' },
      );
    config = readAssetConfig(source);
    baseDir = repositoryRoot;
  }
  let grammar: NamingGrammar;
  try {
    grammar = createGrammar(config.naming as GrammarOverrides | undefined);
  } catch (err) {
    throw new ConfigError(`${source}: naming: ${(err as Error).message}`, { key: 'naming' });
  }
  return { config, source, baseDir, grammar };
}

/**
 * The ingress folder as an absolute path: relative to the repository root (the config refuses
 * `..`, so a relative one stays inside it), or absolute when the config says so.
 */
export function ingressRoot(repositoryRoot: string, config: AssetConfig): string {
  return path.resolve(repositoryRoot, config.ingress_directory);
}
