// The ingress tree as an SVG drawn left to right: folders cyan, valid assets green, invalid assets
// and stray files red. Big trees open only their first levels; a click on a folder opens or
// closes it, so the drawing never holds more than a few hundred nodes at first.
import { useMemo, useState } from 'react';
import type { AssetNode } from '../lib/types';

const ROW = 22;
const COL = 190;
const FIRST_VISIBLE = 400;

/** The folders to open first: level by level while the drawing stays under FIRST_VISIBLE nodes. */
function initiallyOpen(root: AssetNode): Set<string> {
  const open = new Set<string>();
  let level: AssetNode[] = [root];
  let visible = 1;
  while (level.length > 0) {
    const next: AssetNode[] = [];
    for (const n of level) if (n.children.length > 0) next.push(...n.children);
    if (visible + next.length > FIRST_VISIBLE && open.size > 0) break;
    for (const n of level) if (n.children.length > 0) open.add(n.path);
    visible += next.length;
    level = next;
  }
  return open;
}

interface Placed {
  readonly node: AssetNode;
  readonly x: number;
  readonly y: number;
  readonly parent?: Placed;
}

function place(root: AssetNode, open: Set<string>): Placed[] {
  const out: Placed[] = [];
  let row = 0;
  const walk = (node: AssetNode, depth: number, parent?: Placed): Placed => {
    const kids = open.has(node.path) ? node.children : [];
    const me: { node: AssetNode; x: number; y: number; parent?: Placed } = {
      node,
      x: depth * COL,
      y: 0,
      parent,
    };
    out.push(me);
    if (kids.length === 0) me.y = row++ * ROW;
    else {
      const placed = kids.map((k) => walk(k, depth + 1, me));
      me.y = (placed[0]!.y + placed[placed.length - 1]!.y) / 2;
    }
    return me;
  };
  walk(root, 0);
  return out;
}

const count = (n: AssetNode): Record<AssetNode['status'], number> => {
  const c = { valid: 0, invalid: 0, other: 0 };
  const walk = (m: AssetNode) => {
    if (m.kind !== 'folder') c[m.status]++;
    m.children.forEach(walk);
  };
  walk(n);
  return c;
};

export function AssetTree({ root }: { root: AssetNode }) {
  const [open, setOpen] = useState(() => initiallyOpen(root));
  const placed = useMemo(() => place(root, open), [root, open]);
  const totals = useMemo(() => count(root), [root]);
  const width = Math.max(...placed.map((p) => p.x)) + COL + 20;
  const height = Math.max(...placed.map((p) => p.y)) + ROW + 10;
  const toggle = (path: string) =>
    setOpen((o) => {
      const n = new Set(o);
      if (n.has(path)) n.delete(path);
      else n.add(path);
      return n;
    });
  return (
    <div>
      <p className="legend">
        <span className="dot valid" /> {totals.valid} valid <span className="dot invalid" /> {totals.invalid}{' '}
        invalid <span className="dot other" /> folders
      </p>
      <div className="svg-scroll">
        <svg className="asset-graph" width={width} height={height} viewBox={`-10 -12 ${width} ${height}`}>
          {placed.map((p) =>
            p.parent ? (
              <path
                key={`e:${p.node.path}`}
                className="edge"
                d={`M${p.parent.x + 8},${p.parent.y} C${p.parent.x + COL / 2},${p.parent.y} ${p.x - COL / 2},${p.y} ${p.x - 6},${p.y}`}
              />
            ) : null,
          )}
          {placed.map((p) => {
            const closed = p.node.children.length > 0 && !open.has(p.node.path);
            return (
              <g
                key={`n:${p.node.path}`}
                className={`node ${p.node.kind} ${p.node.status}`}
                data-path={p.node.path}
                transform={`translate(${p.x},${p.y})`}
                onClick={() => p.node.children.length > 0 && toggle(p.node.path)}
              >
                <title>{`${p.node.path || '.'} — ${p.node.kind}${p.node.assetType ? ` (${p.node.assetType})` : ''}, ${p.node.status}`}</title>
                <circle r={6} />
                <text x={10} y={4}>
                  {p.node.path === '' ? '.' : p.node.name}
                  {closed ? ` (+${p.node.children.length})` : ''}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </div>
  );
}
