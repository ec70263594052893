import { ancestry } from './ancestry.js';
import type { LineageState, StepRecord, StepStatus } from './lineage-state.js';
import { formatRef } from './resource-ref.js';

/** A node of the lineage graph: a step, or a place in a resource (ref). */
export interface GraphNode {
  readonly id: string;
  readonly kind: 'step' | 'ref';
  readonly label: string;
  readonly status?: StepStatus;
  /** Left-to-right layer: every edge goes from a lower layer to a higher one (cycles aside). */
  readonly layer: number;
}

/** An edge: ref → step for inputs and code, step → ref for outputs; `hash` pins the version. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'input' | 'code' | 'output';
  readonly hash: string | null;
}

/** Nodes sorted by layer then label, edges in step order, and the steps drawn. */
export interface LineageGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly steps: readonly StepRecord[];
}

const stepId = (name: string) => `step:${name}`;
const refId = (ref: string) => `ref:${ref}`;

/**
 * The graph of steps and the refs they read and wrote; with `resource`, only the steps that led to
 * that resource. Nodes carry a layer from a longest-path layering (sources at 0).
 */
export function buildLineageGraph(state: LineageState, options: { resource?: string } = {}): LineageGraph {
  const steps =
    options.resource === undefined ? [...state.steps] : ancestry(state, { resource: options.resource });
  const kinds = new Map<string, Omit<GraphNode, 'layer'>>();
  const edges: GraphEdge[] = [];
  const addRef = (label: string) => {
    if (!kinds.has(refId(label))) kinds.set(refId(label), { id: refId(label), kind: 'ref', label });
    return refId(label);
  };
  for (const step of steps) {
    const id = stepId(step.name);
    kinds.set(id, { id, kind: 'step', label: step.name, status: step.status });
    for (const i of step.inputs)
      edges.push({ from: addRef(formatRef(i)), to: id, kind: 'input', hash: i.hash });
    for (const c of step.code) edges.push({ from: addRef(formatRef(c)), to: id, kind: 'code', hash: c.hash });
    for (const o of step.outputs)
      edges.push({ from: id, to: addRef(formatRef(o)), kind: 'output', hash: o.hash });
  }
  if (options.resource !== undefined) addRef(options.resource);
  // Longest-path layering; the pass limit keeps a cycle (a step rewriting its input) finite.
  const layer = new Map<string, number>([...kinds.keys()].map((k) => [k, 0]));
  for (let pass = 0; pass < kinds.size; pass++) {
    let changed = false;
    for (const e of edges) {
      const next = layer.get(e.from)! + 1;
      if (next > layer.get(e.to)!) {
        layer.set(e.to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const nodes = [...kinds.values()]
    .map((n) => ({ ...n, layer: layer.get(n.id)! }))
    .sort((a, b) => a.layer - b.layer || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  return { nodes, edges, steps };
}
