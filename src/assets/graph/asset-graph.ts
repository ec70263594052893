import type { StoredAsset, StoredFile } from '../store/asset-store.js';
import { InvalidArgumentError } from '../../errors/index.js';

/** A node of the ingress tree: a folder, an asset, or a file that belongs to no asset. */
export interface GraphNode {
  readonly name: string;
  /** Relative to the ingress root, `/`-separated ('' for the root). */
  readonly path: string;
  readonly kind: 'folder' | 'asset' | 'file';
  /** valid / invalid assets; `other` for folders; files outside any asset are invalid. */
  readonly status: 'valid' | 'invalid' | 'other';
  readonly assetType?: string;
  readonly children: GraphNode[];
}

interface MutableNode extends GraphNode {
  readonly index: Map<string, MutableNode>;
}

/** Builds the tree of folders and assets (with validity) from the file and asset tables. */
export function buildAssetGraph(files: readonly StoredFile[], assets: readonly StoredAsset[]): GraphNode {
  const root: MutableNode = {
    name: '',
    path: '',
    kind: 'folder',
    status: 'other',
    children: [],
    index: new Map(),
  };
  const folder = (p: string): MutableNode => {
    let node = root;
    if (p === '') return node;
    let at = '';
    for (const part of p.split('/')) {
      at = at === '' ? part : `${at}/${part}`;
      let next = node.index.get(part);
      if (!next) {
        next = { name: part, path: at, kind: 'folder', status: 'other', children: [], index: new Map() };
        node.index.set(part, next);
        node.children.push(next);
      }
      node = next;
    }
    return node;
  };
  const split = (p: string) => {
    const i = p.lastIndexOf('/');
    return i === -1 ? { dir: '', name: p } : { dir: p.slice(0, i), name: p.slice(i + 1) };
  };
  const place = (p: string, node: Omit<MutableNode, 'index' | 'name' | 'path'>) => {
    const { dir, name } = split(p);
    if (p === '') {
      // An asset at the ingress root itself (a sequence of loose files): mark the root.
      Object.assign(root, node, { children: root.children });
      return;
    }
    const parent = folder(dir);
    const existing = parent.index.get(name);
    if (existing)
      Object.assign(existing, { kind: node.kind, status: node.status, assetType: node.assetType });
    else {
      const created: MutableNode = { name, path: p, ...node, index: new Map() };
      parent.index.set(name, created);
      parent.children.push(created);
    }
  };
  for (const a of assets)
    place(a.assetPath, {
      kind: 'asset',
      status: a.valid ? 'valid' : 'invalid',
      assetType: a.assetType,
      children: [],
    });
  for (const f of files)
    if (f.assetId === null) place(f.path, { kind: 'file', status: 'invalid', children: [] });
  const strip = (n: MutableNode): GraphNode => ({
    name: n.name,
    path: n.path,
    kind: n.kind,
    status: n.status,
    ...(n.assetType !== undefined ? { assetType: n.assetType } : {}),
    children: n.children
      .map((c) => strip(c as MutableNode))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  });
  return strip(root);
}

const COLORS = { valid: '#4caf50', invalid: '#f44336', other: '#9e9e9e' } as const;
const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The tree as Graphviz DOT: folders grey, valid assets green, invalid ones red. */
export function graphToDot(tree: GraphNode): string {
  const lines = ['digraph assets {', '  rankdir=LR;', '  node [shape=box, style=filled, fontcolor=white];'];
  const id = (n: GraphNode) => quote(n.path === '' ? '.' : n.path);
  const walk = (n: GraphNode) => {
    const label = n.path === '' ? '.' : n.name;
    lines.push(
      `  ${id(n)} [label=${quote(label)}, fillcolor=${quote(COLORS[n.status])}, tooltip=${quote(`${n.kind} ${n.status}`)}];`,
    );
    for (const c of n.children) {
      lines.push(`  ${id(n)} -> ${id(c)};`);
      walk(c);
    }
  };
  walk(tree);
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Checks a `--format` value. */
export function checkGraphFormat(format: string): 'json' | 'dot' {
  if (format === 'json' || format === 'dot') return format;
  throw new InvalidArgumentError(`graph format must be json or dot, not '${format}'`, { format });
}
