#!/usr/bin/env node
// Builds the web UI (web/, React + Vite) into dist/web/, which `strata serve` serves. Part of
// `npm run build`. The config is inline (no vite.config file to load and bundle first), asset
// URLs are relative so the UI works under any mount path, and the API is always `/api/…` of the
// page's own origin.
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  root: path.join(ROOT, 'web'),
  base: './',
  configFile: false,
  logLevel: 'warn',
  plugins: [react()],
  build: {
    outDir: path.join(ROOT, 'dist', 'web'),
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
