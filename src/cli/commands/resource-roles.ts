/**
 * The roles a resource can have, for help texts and hints. Spelled out here so that `--help` and
 * `init` do not load the library; a test checks it against the library's RESOURCE_ROLES.
 */
export const RESOURCE_ROLES_HINT = 'source-data, intermediate-data, code, results or assets';
