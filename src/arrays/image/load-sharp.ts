import type SharpModule from 'sharp';

let loaded: Promise<typeof SharpModule> | undefined;

/**
 * sharp, loaded on first use: it is a native module (tens of milliseconds to load) and the CLI
 * bundle keeps it external, where a static import would load it for every command.
 */
export function loadSharp(): Promise<typeof SharpModule> {
  loaded ??= import('sharp').then((m) => m.default);
  return loaded;
}
