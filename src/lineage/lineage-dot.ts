import type { LineageGraph } from './lineage-graph.js';

const quote = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

const FILL: Record<string, string> = { complete: '#c8e6c9', failed: '#ffcdd2', imported: '#e0e0e0' };

/** The lineage graph in Graphviz dot: steps as boxes (colored by status), refs as ellipses. */
export function renderDot(graph: LineageGraph, size: { width?: number; height?: number } = {}): string {
  const lines = ['digraph lineage {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=11];'];
  // Graphviz sizes drawings in inches: pixels at 96 per inch, the drawing scaled down to fit.
  if (size.width !== undefined || size.height !== undefined) {
    const inches = (px: number | undefined) => (px === undefined ? '1000' : String(+(px / 96).toFixed(3)));
    lines.push(`  size="${inches(size.width)},${inches(size.height)}";`);
  }
  for (const n of graph.nodes) {
    lines.push(
      n.kind === 'step'
        ? `  ${quote(n.id)} [shape=box, style=filled, fillcolor=${quote(FILL[n.status ?? 'complete'] ?? '#ffffff')}, label=${quote(`${n.label}\n${n.status ?? ''}`)}];`
        : `  ${quote(n.id)} [shape=ellipse, label=${quote(n.label)}];`,
    );
  }
  for (const e of graph.edges) {
    const label = e.hash ? e.hash.slice(0, 12) : 'unknown';
    const style = e.kind === 'code' ? ', style=dashed' : '';
    lines.push(`  ${quote(e.from)} -> ${quote(e.to)} [label=${quote(label)}${style}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
