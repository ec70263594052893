// Import rules for `src/`, checked by `npm run lint` (`depcruise src --config .dependency-cruiser.cjs`).
// The layer order comes from DESIGN.md, section "Layers".

/**
 * Layers, top to bottom. A module may import from its own folder tree or from a layer strictly
 * below its own; never from a sibling on the same layer, never upwards.
 * Adding a folder to a layer, or a whole new layer, is a one-line change here.
 */
const LAYERS = [
  ['cli', 'server'], // faces
  ['api'], // public library
  // The composition root: the one place that picks adapters. It sits above the capabilities whose
  // stores it builds and hands every layer below its ports (Repository, repo.ports).
  ['backends'],
  ['assets', 'columns', 'workspace', 'lineage', 'compute', 'ingest', 'remote'], // capabilities
  ['jobs'],
  ['repo'], // never imports a capability: they plug in through hooks (SectionProvider)
  ['store', 'catalog'], // ports with adapters
  ['protocol'], // the HTTP API's schemas, shared by the server and its typed client
  ['arrays'], // dtypes, shapes, codecs, formats, images: a pure library, no repository
  ['errors', 'util'], // imports nothing from other layers
];

/**
 * Drivers and the only places that may import them (everything else talks to the port).
 * `allowedIn` lists folders (ending in `/`) or single files. A `name` ending in `/` is a scope.
 */
const DRIVERS = [
  {
    name: 'better-sqlite3',
    allowedIn: [
      'src/catalog/sqlite/',
      'src/compute/store/sqlite/',
      'src/assets/store/sqlite/',
      'src/jobs/store/sqlite/',
    ],
  },
  {
    name: 'pg',
    allowedIn: [
      'src/catalog/postgres/',
      'src/compute/store/postgres/',
      'src/assets/store/postgres/',
      'src/assets/export/postgres/',
      'src/jobs/store/postgres/',
    ],
  },
  { name: '@aws-sdk/', allowedIn: ['src/store/s3/', 'src/assets/export/s3/'] },
  { name: 'bullmq', allowedIn: ['src/jobs/bullmq/'] },
  { name: 'ioredis', allowedIn: ['src/jobs/bullmq/'] },
  { name: 'sharp', allowedIn: ['src/arrays/image/', 'src/assets/traits/'] },
  { name: '@napi-rs/blake-hash', allowedIn: ['src/util/hash.ts'] },
  { name: 'hash-wasm', allowedIn: ['src/util/hash.ts'] },
  { name: 'lz4-napi', allowedIn: ['src/arrays/codecs/'] },
  { name: '@bokuweb/zstd-wasm', allowedIn: ['src/arrays/codecs/'] },
  { name: 'yauzl', allowedIn: ['src/arrays/formats/'] },
  { name: 'yazl', allowedIn: ['src/arrays/formats/'] },
  { name: 's3rver', allowedIn: ['src/store/s3/', 'src/assets/export/s3/'] },
];

const TEST_FILE = '([.]test|-conformance)[.]ts$';

/**
 * Adapter folders of the repository's ports. Choosing one is the composition root's job
 * (`src/backends/`): nothing else imports them, except the adapters themselves (which share the
 * SQLite opener), tests and test support (which build a repository directly).
 */
const ADAPTER_FOLDERS = [
  'src/catalog/sqlite/',
  'src/catalog/postgres/',
  'src/store/fs/',
  'src/store/s3/',
  'src/compute/store/sqlite/',
  'src/compute/store/postgres/',
  'src/assets/store/sqlite/',
  'src/assets/store/postgres/',
];
const ADAPTER_IMPORTERS = [
  '^src/backends/',
  '^src/catalog/',
  '^src/store/',
  '^src/(compute|assets|jobs)/store/(sqlite|postgres)/',
  '/test-support/',
  TEST_FILE,
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternatives = (folders) => `(${folders.join('|')})`;
const src = (folders) => folders.map((folder) => `src/${folder}`).join(', ');

/**
 * Matches a package whether it resolved into node_modules (also its `@types/` package) or did not
 * resolve at all. A `name` ending in `/` is a scope: `@aws-sdk/` matches every `@aws-sdk/*` package.
 */
function packagePath(name) {
  const pkg = name.endsWith('/') ? `${escape(name)}[^/]+` : escape(name);
  const types = name.startsWith('@') ? '' : '(@types/)?';
  return `(^|/)node_modules/${types}${pkg}/|^${pkg}(/|$)`;
}

const layerRules = LAYERS.map((folders, index) => {
  const below = LAYERS.slice(index + 1).flat();
  const layer = `layer ${index + 1} of ${LAYERS.length} (${src(folders)})`;
  return {
    name: `layers-${folders.join('-')}`,
    severity: 'error',
    comment:
      `Layer violation: ${layer} may import only from its own folder tree` +
      (below.length > 0
        ? ` or from the layers below it (${src(below)}); not from a sibling on its layer or from a layer` +
          ' above. Move the shared code down a layer, or pass it in from above.'
        : '. It is the bottom layer: it imports nothing from other src/ folders, not even its sibling.') +
      ' See DESIGN.md "Layers"; the order lives in LAYERS in .dependency-cruiser.cjs.',
    from: { path: `^src/${alternatives(folders)}/` },
    to: {
      path: '^src/',
      pathNot: below.length > 0 ? `^src/($1|${below.join('|')})/` : '^src/$1/',
    },
  };
});

const driverRules = DRIVERS.map(({ name, allowedIn }) => ({
  name: `driver-${name.replace(/[@/]+/g, '-').replace(/^-|-$/g, '')}`,
  severity: 'error',
  comment:
    `The driver '${name}${name.endsWith('/') ? '*' : ''}' may be imported only inside its adapter ` +
    `(${allowedIn.join(' or ')}). ` +
    'Other code depends on the port interface; declare only the part of a driver you use inside the adapter ' +
    '(see DESIGN.md "Layers" and STYLE.md "Ports and adapters").',
  from: {
    pathNot: `^${alternatives(allowedIn.map((place) => escape(place) + (place.endsWith('/') ? '' : '$')))}`,
  },
  to: { path: packagePath(name) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'This dependency is part of an import cycle. Break it: move the shared part into its own module ' +
        'lower down, or invert the dependency (the lower module takes an interface or a callback).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-in-a-layer',
      severity: 'error',
      comment:
        `This module lives outside every layer folder (${src(LAYERS.flat())}), so the layer rules cannot ` +
        'check it. Put it in the right layer folder, or register a new folder in LAYERS in .dependency-cruiser.cjs.',
      from: { path: '^src/', pathNot: `^src/${alternatives(LAYERS.flat())}/` },
      to: {},
    },
    ...layerRules,
    ...driverRules,
    {
      name: 'adapters-chosen-by-composition-root',
      severity: 'error',
      comment:
        `Adapter folders (${ADAPTER_FOLDERS.join(', ')}) are chosen only by the composition root ` +
        '(src/backends/open-backends.ts), which builds them from the repository config and hands the ports ' +
        'down. Take the port (Catalog, ObjectStore) from the Repository, or a capability port ' +
        '(COMPUTE_STORE, ASSET_STORE) from repo.ports, instead.',
      from: { pathNot: alternatives(ADAPTER_IMPORTERS) },
      to: { path: `^${alternatives(ADAPTER_FOLDERS.map(escape))}` },
    },
    {
      name: 'node-test-only-in-tests',
      severity: 'error',
      comment:
        "Only test files (*.test.ts) and conformance suites (*-conformance.ts) may import 'node:test'; " +
        'production code must not depend on the test runner.',
      from: { pathNot: TEST_FILE },
      to: { dependencyTypes: ['core'], path: '^(node:)?test(/|$)' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'This import cannot be resolved to a file on disk, so none of the other rules can check it. ' +
        'Fix the path (TypeScript sources import each other with a .js suffix) or install the package.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    moduleSystems: ['es6', 'cjs'],
    // Type-only imports count too: a layer or driver violation in a type is still a violation.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      // `./x.js` in a .ts file resolves to `./x.ts` (NodeNext style imports).
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
