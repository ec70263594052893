import { InconsistentLineageError, LineageConflictError } from '../errors/index.js';
import type { LineageState, PinnedRef, StepRecord } from './lineage-state.js';
import { coversRef, formatRef, overlapsRef, sameRef, type ResourceRef } from './resource-ref.js';

const short = (hash: string | null) => (hash ? hash.slice(0, 12) : 'unknown');

/** The step (other than `self`) whose outputs contain `ref`: the one that produced what is there. */
export function producerOf(
  state: LineageState,
  ref: ResourceRef,
  self?: string,
): { step: StepRecord; output: PinnedRef } | undefined {
  for (const step of state.steps) {
    if (step.name === self) continue;
    const output = step.outputs.find((o) => coversRef(o, ref));
    if (output) return { step, output };
  }
  return undefined;
}

/** One version of a ref seen while walking a step's dependencies, and who saw it. */
interface Seen {
  readonly hash: string;
  readonly by: string;
}

/**
 * The seed's first rule: a step may not depend on two versions of the same input, directly or
 * through earlier steps. Walks from the step's pinned inputs to the steps that produced them and
 * their inputs, and so on; the same ref with two hashes is an `InconsistentLineageError` naming
 * both sides. "Directly" covers an input whose content differs from what its producer wrote.
 */
export function checkInputConsistency(state: LineageState, step: string, inputs: readonly PinnedRef[]): void {
  const seen = new Map<string, Seen>();
  const visited = new Set<string>([step]);
  const queue: { ref: PinnedRef; by: string }[] = inputs.map((ref) => ({ ref, by: `step '${step}'` }));
  const fail = (ref: ResourceRef, first: Seen, second: Seen): never => {
    throw new InconsistentLineageError(
      `step '${step}' depends on two versions of ${formatRef(ref)}: ${short(first.hash)} (${first.by}) and ` +
        `${short(second.hash)} (${second.by})`,
      { step, ref: formatRef(ref), first, second },
    );
  };
  while (queue.length > 0) {
    const { ref, by } = queue.shift()!;
    if (ref.hash === null) continue;
    const key = formatRef(ref);
    const mine: Seen = { hash: ref.hash, by: `read by ${by}` };
    const known = seen.get(key);
    if (known) {
      if (known.hash !== ref.hash) fail(ref, known, mine);
      continue;
    }
    seen.set(key, mine);
    const producer = producerOf(state, ref, step);
    if (!producer) continue;
    const { step: parent, output } = producer;
    // The producer pinned exactly this ref: what is read now must be what it wrote.
    if (sameRef(output, ref) && output.hash !== null && output.hash !== ref.hash) {
      fail(ref, mine, { hash: output.hash, by: `written by step '${parent.name}'` });
    }
    if (visited.has(parent.name)) continue;
    visited.add(parent.name);
    for (const input of parent.inputs) queue.push({ ref: input, by: `step '${parent.name}'` });
  }
}

/**
 * The seed's second rule: independent steps may not write overlapping outputs (the same place, or
 * one inside the other). A step may rewrite its own outputs when it runs again.
 */
export function checkOutputOverlap(state: LineageState, step: string, outputs: readonly ResourceRef[]): void {
  for (const output of outputs) {
    for (const other of state.steps) {
      if (other.name === step) continue;
      const clash = other.outputs.find((o) => overlapsRef(o, output));
      if (clash) {
        throw new LineageConflictError(
          `output ${formatRef(output)} of step '${step}' overlaps output ${formatRef(clash)} of step '${other.name}'`,
          { step, output: formatRef(output), other: other.name, otherOutput: formatRef(clash) },
        );
      }
    }
  }
}

/** Outputs of one step may not overlap each other either (which one would a reader depend on?). */
export function checkOwnOutputs(step: string, outputs: readonly ResourceRef[]): void {
  outputs.forEach((a, i) => {
    const b = outputs.slice(i + 1).find((o) => overlapsRef(a, o));
    if (b) {
      throw new LineageConflictError(
        `step '${step}' lists overlapping outputs ${formatRef(a)} and ${formatRef(b)}`,
        {
          step,
          output: formatRef(a),
          otherOutput: formatRef(b),
        },
      );
    }
  });
}
