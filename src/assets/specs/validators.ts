import { statSync } from 'node:fs';

/**
 * A validator returns undefined when the value is fine, or a message saying what is wrong. Field
 * validators see one file's value; asset validators see the values of all files of an asset (one
 * call per asset: validating once per file is what made Hidebound quadratic).
 */
export type Validator<T = unknown> = (value: T) => string | undefined;

const show = (v: unknown) => JSON.stringify(v);

/** Compares with `==`-like strictness on primitives. */
export const eq =
  (expected: unknown): Validator =>
  (v) =>
    v === expected ? undefined : `${show(v)} is not equal to ${show(expected)}`;
export const lt =
  (limit: number): Validator<number> =>
  (v) =>
    v < limit ? undefined : `${v} is not less than ${limit}`;
export const gt =
  (limit: number): Validator<number> =>
  (v) =>
    v > limit ? undefined : `${v} is not greater than ${limit}`;
export const lte =
  (limit: number): Validator<number> =>
  (v) =>
    v <= limit ? undefined : `${v} is greater than ${limit}`;
export const gte =
  (limit: number): Validator<number> =>
  (v) =>
    v >= limit ? undefined : `${v} is less than ${limit}`;
export const oneOf =
  (allowed: readonly unknown[]): Validator =>
  (v) =>
    allowed.includes(v) ? undefined : `${show(v)} is not one of ${allowed.map(show).join(', ')}`;

/** Version numbers 1–999. */
export const isVersion: Validator<number> = (v) =>
  Number.isInteger(v) && v >= 1 && v <= 999 ? undefined : `version ${v} is not between 1 and 999`;
/** Frame numbers 0–9999. */
export const isFrame: Validator<number> = (v) =>
  Number.isInteger(v) && v >= 0 && v <= 9999 ? undefined : `frame ${v} is not between 0 and 9999`;
/** 1–3 whole numbers, each 0–9999. */
export const isCoordinate: Validator<readonly number[]> = (v) =>
  Array.isArray(v) &&
  v.length >= 1 &&
  v.length <= 3 &&
  v.every((n) => Number.isInteger(n) && n >= 0 && n <= 9999)
    ? undefined
    : `coordinate ${show(v)} is not 1 to 3 whole numbers between 0 and 9999`;
/** Project tokens as the naming convention's default says. */
export const isProject: Validator<string> = (v) =>
  /^[a-z]{3,4}[0-9]{1,4}$/.test(v)
    ? undefined
    : `project '${v}' is not 3-4 lowercase letters then 1-4 digits`;
/** Descriptor tokens: letters and digits joined by single hyphens, not starting with master/final/last. */
export const isDescriptor: Validator<string> = (v) => {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(v))
    return `descriptor '${v}' is not lowercase words joined by hyphens`;
  const banned = ['master', 'final', 'last'].find((w) => v.startsWith(w));
  return banned ? `descriptor '${v}' begins with '${banned}'` : undefined;
};
/** Lowercase extensions (png, not PNG). */
export const isLowercaseExtension: Validator<string> = (v) =>
  /^[a-z0-9]+$/.test(v) ? undefined : `extension '${v}' is not lowercase letters and digits`;

/** A path that is a file (for the asset's files) or a folder (for a sequence's root). */
export const isFile: Validator<string> = (path) =>
  statSync(path, { throwIfNoEntry: false })?.isFile() ? undefined : `'${path}' is not a file`;
export const isFolder: Validator<string> = (path) =>
  statSync(path, { throwIfNoEntry: false })?.isDirectory() ? undefined : `'${path}' is not a folder`;

// ---- asset validators: one call with every file's value ----

/** Every file has the same value (e.g. one extension, one width per sequence). */
export const homogeneous: Validator<readonly unknown[]> = (values) => {
  const distinct = [...new Set(values.map(show))];
  return distinct.length <= 1 ? undefined : `values differ across files: ${distinct.slice(0, 5).join(', ')}`;
};

/** Frames form one run without gaps (1, 2, 3 — not 1, 3). */
export const framesNotMissing: Validator<readonly number[]> = (frames) => {
  const sorted = [...new Set(frames)].sort((a, b) => a - b);
  const missing: number[] = [];
  for (let i = 1; i < sorted.length && missing.length < 10; i++) {
    for (let f = sorted[i - 1]! + 1; f < sorted[i]! && missing.length < 10; f++) missing.push(f);
  }
  return missing.length === 0 ? undefined : `frames missing: ${missing.join(', ')}`;
};

/** Every coordinate has the same number of axes. */
export const uniformCoordinateCount: Validator<readonly (readonly number[])[]> = (coords) => {
  const counts = [...new Set(coords.map((c) => c.length))];
  return counts.length <= 1 ? undefined : `coordinates have different numbers of axes: ${counts.join(', ')}`;
};

/** Coordinates fill their grid: on every axis, every value between the smallest and largest occurs. */
export const denseCoordinates: Validator<readonly (readonly number[])[]> = (coords) => {
  const axes = Math.max(0, ...coords.map((c) => c.length));
  for (let a = 0; a < axes; a++) {
    const gaps = framesNotMissing(coords.map((c) => c[a] ?? 0));
    if (gaps)
      return `coordinates are not dense on axis ${'xyz'[a]}: ${gaps.replace('frames missing: ', 'missing ')}`;
  }
  return undefined;
};

/** The smallest coordinate on every axis is the origin's (default 0, 0, 0). */
export const coordinatesBeginAt =
  (origin: readonly number[] = [0, 0, 0]): Validator<readonly (readonly number[])[]> =>
  (coords) => {
    if (coords.length === 0) return undefined;
    const axes = Math.max(...coords.map((c) => c.length));
    const lows = Array.from({ length: axes }, (_, a) => Math.min(...coords.map((c) => c[a] ?? 0)));
    const expected = origin.slice(0, axes);
    return lows.every((v, a) => v === expected[a])
      ? undefined
      : `coordinates begin at ${show(lows)}, not ${show(expected)}`;
  };
