import { InvalidArgumentError, NotFoundError } from '../errors/index.js';
import type { ComputeProject } from './compute-project.js';
import type { ComputedResource } from './computed-resource.js';

/**
 * The one remembered resource an id (and, when given, its args) names: with `args`, that variant;
 * without, the id's only variant. An id computed with several args needs `args` to choose
 * (InvalidArgumentError); none remembered is a NotFoundError. What `strata compute show/log/...`
 * use for `ID [--args JSON]`.
 *
 * @example const r = await pickComputedResource(project, 'stats', 'abc'); // its only variant
 */
export async function pickComputedResource(
  project: ComputeProject,
  collection: string,
  id: string,
  options: { readonly args?: unknown } = {},
): Promise<ComputedResource> {
  if (options.args !== undefined) {
    const r = await project.resource(collection, id, { args: options.args });
    if (r.status !== 'unavailable') return r;
  } else {
    const variants = await project.variants(collection, id);
    if (variants.length === 1) return variants[0]!;
    if (variants.length > 1) {
      throw new InvalidArgumentError(
        `'${id}' in '${collection}' was computed with ${variants.length} different args; choose one with --args JSON`,
        { collection, id, variants: variants.length },
      );
    }
  }
  throw new NotFoundError(`no computed resource '${id}' in collection '${collection}'`, {
    what: 'computed resource',
    collection,
    id,
  });
}
