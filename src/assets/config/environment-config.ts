/**
 * How the environment names an asset config, if it does: `file` when STRATA_CONFIG_FILEPATH is
 * set (non-empty), `variables` when STRATA_INGRESS_DIRECTORY or STRATA_STAGING_DIRECTORY is set
 * (the config is then made of STRATA_* variables), else null. The one place that rule lives:
 * the config loader and the CLI's `assets parse` both ask here. Light on purpose (no zod or yaml).
 *
 * @example environmentAssetConfig({ STRATA_INGRESS_DIRECTORY: 'ingress' }) // 'variables'
 */
export function environmentAssetConfig(env: NodeJS.ProcessEnv = process.env): 'file' | 'variables' | null {
  if (env.STRATA_CONFIG_FILEPATH) return 'file';
  if (env.STRATA_INGRESS_DIRECTORY !== undefined || env.STRATA_STAGING_DIRECTORY !== undefined)
    return 'variables';
  return null;
}
