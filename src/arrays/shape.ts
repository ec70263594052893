import { InvalidArgumentError } from '../errors/index.js';

/** Most dimensions a sample may have (numpy's limit is 32 for the array, so 31 per sample). */
export const MAX_RANK = 31;

/** A column's shape rule: every sample has exactly `shape`, or (variable) any shape up to it. */
export interface ShapeSchema {
  readonly shape: readonly number[];
  readonly variable: boolean;
}

/** Checks a shape written by a user: whole numbers >= 0 (>= 1 for a max shape), at most 31 dims. */
export function checkShapeSpec(shape: readonly number[], what = 'shape'): number[] {
  if (shape.length > MAX_RANK) {
    throw new InvalidArgumentError(`${what} has ${shape.length} dimensions; at most ${MAX_RANK}`, { shape });
  }
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new InvalidArgumentError(
        `${what} [${shape.join(', ')}] has a dimension that is not a whole number >= 0`,
        {
          shape,
        },
      );
    }
  }
  return [...shape];
}

/** Parses `28,28` or `(28, 28)` or `[]`/`()` for a scalar. */
export function parseShape(text: string): number[] {
  const body = text
    .trim()
    .replace(/^[([]|[)\]]$/g, '')
    .trim();
  if (body === '') return [];
  const parts = body
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return checkShapeSpec(
    parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN)),
    `shape '${text}'`,
  );
}

/**
 * Why `shape` does not fit the schema, or undefined when it does: a fixed schema needs the exact
 * shape; a variable one the same rank and every dimension within the max.
 */
export function shapeMismatch(schema: ShapeSchema, shape: readonly number[]): string | undefined {
  if (shape.length !== schema.shape.length) {
    return `rank ${shape.length} (shape [${shape.join(', ')}]) where rank ${schema.shape.length} is expected`;
  }
  for (let i = 0; i < shape.length; i++) {
    const ok = schema.variable ? shape[i]! <= schema.shape[i]! : shape[i] === schema.shape[i];
    if (!ok) {
      return schema.variable
        ? `shape [${shape.join(', ')}] exceeds the max shape [${schema.shape.join(', ')}]`
        : `shape [${shape.join(', ')}] where [${schema.shape.join(', ')}] is expected`;
    }
  }
  return undefined;
}

/** Number of elements of a shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}
