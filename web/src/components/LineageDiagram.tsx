// The lineage graph as an SVG: one column per layer (sources left), steps as boxes, resource
// references as rounded labels, arrows for inputs, code and outputs.
import type { LineageGraph } from '../lib/types';

const COL = 230;
const ROW = 46;

export function LineageDiagram({ graph }: { graph: LineageGraph }) {
  const rows = new Map<number, number>();
  const at = new Map<string, { x: number; y: number }>();
  for (const n of graph.nodes) {
    const r = rows.get(n.layer) ?? 0;
    rows.set(n.layer, r + 1);
    at.set(n.id, { x: n.layer * COL, y: r * ROW });
  }
  const width = (Math.max(0, ...graph.nodes.map((n) => n.layer)) + 1) * COL;
  const height = Math.max(1, ...rows.values()) * ROW;
  return (
    <div className="svg-scroll">
      <svg
        className="lineage-graph"
        width={width + 20}
        height={height + 20}
        viewBox={`-10 -20 ${width + 20} ${height + 20}`}
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" />
          </marker>
        </defs>
        {graph.edges.map((e, i) => {
          const a = at.get(e.from);
          const b = at.get(e.to);
          if (!a || !b) return null;
          return (
            <line
              key={i}
              className={`edge ${e.kind}`}
              x1={a.x + 180}
              y1={a.y}
              x2={b.x}
              y2={b.y}
              markerEnd="url(#arrow)"
            />
          );
        })}
        {graph.nodes.map((n) => {
          const p = at.get(n.id)!;
          return (
            <g
              key={n.id}
              className={`node ${n.kind} ${n.status ?? ''}`}
              transform={`translate(${p.x},${p.y})`}
            >
              <title>{`${n.kind} ${n.label}${n.status ? ` (${n.status})` : ''}`}</title>
              <rect x={0} y={-14} width={180} height={28} rx={n.kind === 'ref' ? 14 : 3} />
              <text x={90} y={4} textAnchor="middle">
                {n.label.length > 26 ? `${n.label.slice(0, 25)}…` : n.label}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
