/** One target of a benchmark figure: `value op limit`; `met` is null when the value is missing. */
export interface Target {
  readonly value: number | null;
  readonly target: string;
  readonly met: boolean | null;
}

export function atMost(value: number | null, limit: number): Target {
  return { value, target: `<= ${limit}`, met: value === null ? null : value <= limit };
}

export function atLeast(value: number | null, limit: number): Target {
  return { value, target: `>= ${limit}`, met: value === null ? null : value >= limit };
}

/** True when every target that could be evaluated is met (and at least one could). */
export function allMet(targets: Readonly<Record<string, Target>>): boolean {
  const evaluated = Object.values(targets).filter((t) => t.met !== null);
  return evaluated.length > 0 && evaluated.every((t) => t.met === true);
}
