import type { LineageState, StepRecord } from './lineage-state.js';
import { overlapsRef, type ResourceRef } from './resource-ref.js';

/**
 * The steps that produced what `ref` holds: every step with an output overlapping it, then the
 * steps that produced their inputs, and so on. In the order found (nearest first).
 */
export function ancestry(state: LineageState, ref: ResourceRef): StepRecord[] {
  const found: StepRecord[] = [];
  const names = new Set<string>();
  const queue: ResourceRef[] = [ref];
  while (queue.length > 0) {
    const wanted = queue.shift()!;
    for (const step of state.steps) {
      if (names.has(step.name) || !step.outputs.some((o) => overlapsRef(o, wanted))) continue;
      names.add(step.name);
      found.push(step);
      queue.push(...step.inputs, ...step.code);
    }
  }
  return found;
}
