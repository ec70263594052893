import { ConfigError } from '../../errors/index.js';
import type { TileIndex } from './plugin.js';

/**
 * Fills a file name pattern with a tile's place: `{z}`, `{t}`, `{x}` / `{col}` (tile column),
 * `{y}` / `{row}` (tile row), each optionally zero-padded Python style (`{z:04d}`).
 *
 * @example formatTilePath('{z:04d}/{row}_{col}.png', { x: 2, y: 1, z: 7, t: 0 }) // '0007/1_2.png'
 */
export function formatTilePath(pattern: string, tile: TileIndex, offsets: { z?: number } = {}): string {
  return pattern.replace(/\{(\w+)(?::0?(\d+)d)?\}/g, (whole, name: string, width: string | undefined) => {
    const value =
      name === 'z'
        ? tile.z + (offsets.z ?? 0)
        : name === 't'
          ? tile.t
          : name === 'x' || name === 'col'
            ? tile.x
            : name === 'y' || name === 'row'
              ? tile.y
              : undefined;
    if (value === undefined) {
      throw new ConfigError(
        `plugin pattern '${pattern}': unknown placeholder ${whole}; use {z}, {t}, {x}/{col}, {y}/{row}`,
        {
          key: 'plugin.params.pattern',
        },
      );
    }
    return width ? String(value).padStart(Number(width), '0') : String(value);
  });
}

/** True when the pattern names one file per tile (it uses the tile's column or row). */
export function isTiledPattern(pattern: string): boolean {
  return /\{(x|y|row|col)(:[^}]*)?\}/.test(pattern);
}

/** A required string parameter of a plugin; a `ConfigError` naming the key otherwise. */
export function stringParam(
  params: Readonly<Record<string, unknown>>,
  name: string,
  fallback?: string,
): string {
  const value = params[name] ?? fallback;
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(`ingest config key 'plugin.params.${name}': expected a non-empty string`, {
      key: `plugin.params.${name}`,
    });
  }
  return value;
}

/** An optional whole-number parameter of a plugin. */
export function intParam(params: Readonly<Record<string, unknown>>, name: string, fallback: number): number {
  const value = params[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ConfigError(`ingest config key 'plugin.params.${name}': expected a whole number`, {
      key: `plugin.params.${name}`,
    });
  }
  return value;
}
