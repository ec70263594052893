import type { GraphNode, LineageGraph } from './lineage-graph.js';
import { formatRef } from './resource-ref.js';

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const NODE_W = 190;
const NODE_H = 44;
const GAP_X = 90;
const GAP_Y = 26;
const MARGIN = 24;

const FILL: Record<string, string> = {
  complete: '#c8e6c9',
  failed: '#ffcdd2',
  imported: '#e0e0e0',
  ref: '#e3f2fd',
};

const clip = (text: string, max = 26) => (text.length > max ? text.slice(0, max - 1) + '…' : text);
const short = (hash: string | null) => (hash ? hash.slice(0, 12) : 'unknown');

interface Placed extends GraphNode {
  readonly x: number;
  readonly y: number;
}

/** Places nodes left to right by layer, top to bottom within a layer. */
function layout(graph: LineageGraph): { placed: Map<string, Placed>; width: number; height: number } {
  const placed = new Map<string, Placed>();
  const rows = new Map<number, number>();
  for (const n of graph.nodes) {
    const row = rows.get(n.layer) ?? 0;
    rows.set(n.layer, row + 1);
    placed.set(n.id, { ...n, x: MARGIN + n.layer * (NODE_W + GAP_X), y: MARGIN + row * (NODE_H + GAP_Y) });
  }
  const layers = Math.max(0, ...graph.nodes.map((n) => n.layer + 1));
  const maxRows = Math.max(0, ...rows.values());
  return {
    placed,
    width: Math.max(200, 2 * MARGIN + layers * NODE_W + Math.max(0, layers - 1) * GAP_X),
    height: Math.max(80, 2 * MARGIN + maxRows * NODE_H + Math.max(0, maxRows - 1) * GAP_Y),
  };
}

/** The size a drawing is shown at, in pixels (`lineage graph --width/--height`); it is scaled to fit. */
export interface GraphSize {
  readonly width?: number;
  readonly height?: number;
}

function renderSvg(graph: LineageGraph, size: GraphSize = {}): string {
  const { placed, width, height } = layout(graph);
  const parts: string[] = [
    `<svg width="${size.width ?? width}" height="${size.height ?? height}" preserveAspectRatio="xMidYMid meet" viewBox="0 0 ${width} ${height}" role="img" aria-label="lineage graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">' +
      '<path d="M0,0 L10,5 L0,10 z" fill="#607d8b"/></marker></defs>',
  ];
  for (const e of graph.edges) {
    const a = placed.get(e.from)!;
    const b = placed.get(e.to)!;
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const bend = Math.max(40, Math.abs(x2 - x1) / 2);
    const dash = e.kind === 'code' ? ' stroke-dasharray="5,4"' : '';
    parts.push(
      `<path class="edge" d="M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}" fill="none" stroke="#607d8b"${dash} marker-end="url(#arrow)">` +
        `<title>${escape(`${e.kind} ${short(e.hash)}`)}</title></path>`,
    );
  }
  for (const n of placed.values()) {
    const fill = FILL[n.kind === 'step' ? (n.status ?? 'complete') : 'ref'];
    const rx = n.kind === 'step' ? 4 : NODE_H / 2;
    const sub = n.kind === 'step' ? (n.status ?? '') : 'resource';
    parts.push(
      `<g class="node ${n.kind}"><title>${escape(n.label)}</title>` +
        `<rect x="${n.x}" y="${n.y}" width="${NODE_W}" height="${NODE_H}" rx="${rx}" fill="${fill}" stroke="#455a64"/>` +
        `<text x="${n.x + NODE_W / 2}" y="${n.y + 19}" text-anchor="middle" class="label">${escape(clip(n.label))}</text>` +
        `<text x="${n.x + NODE_W / 2}" y="${n.y + 35}" text-anchor="middle" class="sub">${escape(sub)}</text></g>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function renderTable(graph: LineageGraph): string {
  const refs = (list: readonly { resource: string; path?: string; hash: string | null }[]) =>
    list.map((r) => `${escape(formatRef(r))} <code>${short(r.hash)}</code>`).join('<br>');
  const rows = graph.steps.map(
    (s) =>
      `<tr class="${s.status}"><td>${escape(s.name)}</td><td>${escape(s.status)}</td>` +
      `<td><code>${escape(JSON.stringify(s.parameters))}</code></td><td>${refs(s.inputs)}</td>` +
      `<td>${refs(s.code)}</td><td>${refs(s.outputs)}</td><td>${escape(s.startTime)}</td></tr>`,
  );
  return (
    '<table><thead><tr><th>step</th><th>status</th><th>parameters</th><th>inputs</th><th>code</th>' +
    `<th>outputs</th><th>started</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`
  );
}

/**
 * A self-contained HTML page of the lineage graph: an inline SVG laid out here (layers left to
 * right) and a table of the steps. No scripts, fonts, styles or images from the network.
 */
export function renderHtml(graph: LineageGraph, title = 'Lineage', size: GraphSize = {}): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #263238; }
svg text.label { font-size: 13px; font-weight: 600; fill: #263238; }
svg text.sub { font-size: 11px; fill: #546e7a; }
.graph { overflow: auto; border: 1px solid #cfd8dc; padding: 8px; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 8px; border: 1px solid #455a64; }
table { border-collapse: collapse; margin-top: 16px; font-size: 13px; }
td, th { border: 1px solid #cfd8dc; padding: 4px 8px; text-align: left; vertical-align: top; }
tr.failed td { background: #ffebee; }
</style>
</head>
<body>
<h1>${escape(title)}</h1>
<p class="legend"><span style="background:${FILL.complete}">complete step</span><span style="background:${FILL.failed}">failed step (outputs unknown)</span><span style="background:${FILL.imported}">imported step</span><span style="background:${FILL.ref}; border-radius: 10px">resource</span> dashed edges: code</p>
<div class="graph">
${renderSvg(graph, size)}
</div>
${renderTable(graph)}
</body>
</html>
`;
}
