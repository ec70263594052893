import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../errors/index.js';
import { createImageStackPlugin } from './image-stack.js';
import { createMultipageTiffPlugin } from './multipage-tiff.js';
import { createNpySlicesPlugin } from './npy-slices.js';
import type { CreatePlugin, IngestPlugin, PluginContext } from './plugin.js';

/** The built-in plugins by name. */
export const BUILTIN_PLUGINS: Readonly<Record<string, CreatePlugin>> = {
  'image-stack': createImageStackPlugin,
  'multipage-tiff': createMultipageTiffPlugin,
  'npy-slices': createNpySlicesPlugin,
};

/** True when a plugin name is a module path rather than a built-in. */
function isModulePath(name: string): boolean {
  return name.startsWith('.') || isAbsolute(name) || /\.(m?js|cjs)$/.test(name);
}

/**
 * Makes the plugin `name` names: a built-in, or a module (path relative to the config file)
 * exporting `createPlugin` or a default factory. An unknown name, a module that cannot be loaded
 * or throws while loading or creating, or one that does not give an `IngestPlugin`, is a
 * `ConfigError` naming `plugin.name` and the reason.
 */
export async function loadIngestPlugin(
  name: string,
  params: Readonly<Record<string, unknown>>,
  context: PluginContext,
): Promise<IngestPlugin> {
  let create = BUILTIN_PLUGINS[name];
  if (!create) {
    if (!isModulePath(name)) {
      throw new ConfigError(
        `ingest config key 'plugin.name': unknown plugin '${name}'; use ${Object.keys(BUILTIN_PLUGINS).join(', ')} or a path to a module`,
        { key: 'plugin.name', plugin: name },
      );
    }
    const path = resolve(context.baseDir, name);
    let module: { createPlugin?: unknown; default?: unknown };
    try {
      module = (await import(pathToFileURL(path).href)) as typeof module;
    } catch (err) {
      throw new ConfigError(
        `ingest config key 'plugin.name': plugin module ${path} failed to load: ${(err as Error).message}`,
        {
          key: 'plugin.name',
          plugin: path,
        },
      );
    }
    const factory = module.createPlugin ?? module.default;
    if (typeof factory !== 'function') {
      throw new ConfigError(
        `ingest config key 'plugin.name': plugin module ${path} exports no createPlugin function`,
        {
          key: 'plugin.name',
          plugin: path,
        },
      );
    }
    create = factory as CreatePlugin;
  }
  let plugin: IngestPlugin;
  try {
    plugin = await create(params, context);
  } catch (err) {
    if ((err as { code?: string }).code === 'E_CONFIG') throw err;
    throw new ConfigError(
      `ingest config key 'plugin.name': plugin '${name}' failed to start: ${(err as Error).message}`,
      {
        key: 'plugin.name',
        plugin: name,
      },
    );
  }
  if (typeof plugin?.pathOf !== 'function' || typeof plugin?.readTiles !== 'function') {
    throw new ConfigError(`ingest config key 'plugin.name': plugin '${name}' has no pathOf and readTiles`, {
      key: 'plugin.name',
      plugin: name,
    });
  }
  return plugin;
}
