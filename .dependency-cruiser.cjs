/**
 * The layers of src/, checked by `npm run lint` (dependency-cruiser; CI runs it after the typecheck).
 * A request flows down, and so do imports:
 *
 *   main.ts, cli/            composition roots: may import anything in src/
 *   graphql/                 the API: services, metrics and base only (never the store, index, modules, ml)
 *   metrics/                 Prometheus figures read at scrape time from every layer below the API;
 *                            wired into the HTTP server by graphql/, so it sits between graphql and services
 *   services/                business logic: index, ml, store, modules and base
 *   index/ store/ modules/   each on its own: base only, never each other, never a layer above
 *   ml/                      pure functions over typed arrays: nothing else of the project but the
 *                            worker-thread host (k-means runs off the event loop in worker threads)
 *   base                     config.ts errors.ts log.ts paths.ts lru-cache.ts vectors.ts sha256.ts and
 *                            threads (the one worker-thread host): only each other
 *
 * Type-only imports count like any other (they couple the layers just the same): a type a higher layer
 * needs is exported by the layer it talks to (services re-export the store's row types the API maps).
 * src/ never imports bench/ or test/, and no import cycle runs through src/.
 *
 * web/ holds the pages the server serves as static bundles (bin/build-web.js): the console and
 * GraphiQL, each in its own folder, sharing only web/shared/. They reach semhub through the public
 * GraphQL API alone, so they import nothing of src/ (nor bench/, test/, bin/), and src/ imports no web/.
 */
const BASE = '^src/((config|errors|log|threads|paths|lru-cache|vectors|sha256)[.]ts$|threads/)';
const THREADS = '^src/threads([.]ts$|/)';
const KNOWN = [BASE, '^src/main[.]ts$', '^src/(cli|graphql|metrics|services|index|store|modules|ml)/'];
const WEB_PAGES = '^web/(console|graphiql)/';

/** A rule: `from` may import nothing in src/ except `allowed` (regular expressions on the path). */
function onlyImports(name, comment, from, allowed) {
  return { name, comment, severity: 'error', from: { path: from }, to: { path: '^src/', pathNot: allowed } };
}

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'An import cycle in src/ or web/: cut it by moving the shared piece to the lower of the two layers.',
      severity: 'error',
      from: { path: '^(src|web)/' },
      to: { circular: true },
    },
    {
      name: 'src-not-to-bench-or-test',
      comment: 'src/ ships; bench/ and test/ do not. Let them import src/, never the other way round.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(bench|test)/' },
    },
    {
      name: 'unresolvable',
      comment: 'An import of src/ or web/ that does not resolve: no layer rule can check it (the typecheck fails on it too).',
      severity: 'error',
      from: { path: '^(src|web)/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'web-through-the-api',
      comment: 'web/ is served to browsers and talks to semhub only through the public GraphQL API: it imports nothing of src/, bench/, test/ or bin/.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^(src|bench|test|bin)/' },
    },
    {
      name: 'src-not-to-web',
      comment: 'src/ serves web/ as built files (dist/web); it never imports its sources.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^web/' },
    },
    {
      name: 'web-pages-apart',
      comment: 'The console and GraphiQL are separate bundles: each imports its own folder and web/shared/ only.',
      severity: 'error',
      from: { path: WEB_PAGES },
      to: { path: '^web/', pathNot: ['^web/$1/', '^web/shared/'] },
    },
    {
      name: 'layer-unknown',
      comment: 'A file of src/ outside every layer: place it in .dependency-cruiser.cjs (and the README map).',
      severity: 'error',
      from: { path: '^src/', pathNot: KNOWN },
      to: { path: '^src/' },
    },
    onlyImports('base-imports-base', 'The base files import only each other.', BASE, [BASE]),
    onlyImports(
      'ml-imports-nothing',
      'ml/ is pure computation: it imports nothing else of the project but the worker-thread host (src/threads).',
      '^src/ml/',
      ['^src/ml/', THREADS],
    ),
    onlyImports(
      'lower-layer-stays-low',
      'index/, store/ and modules/ import their own folder and the base files: never each other, services, graphql, metrics or cli.',
      '^src/(index|store|modules)/',
      ['^src/$1/', BASE],
    ),
    onlyImports(
      'services-below-graphql',
      'services/ import the lower layers and base: never graphql/, metrics/, cli/ or main.ts.',
      '^src/services/',
      ['^src/(services|index|ml|store|modules)/', BASE],
    ),
    onlyImports(
      'metrics-below-graphql',
      'metrics/ reads every layer below the API: never graphql/, cli/ or main.ts.',
      '^src/metrics/',
      ['^src/(metrics|services|index|ml|store|modules)/', BASE],
    ),
    onlyImports(
      'graphql-through-services',
      'graphql/ reaches the store, indexes, modules and ml only through services/ (a type it needs is exported by services).',
      '^src/graphql/',
      ['^src/(graphql|services|metrics)/', BASE],
    ),
  ],
  options: {
    // TypeScript before compilation, so `import type` edges are seen and checked too
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    // exportsFields/conditionNames: web/ imports package subpaths (graphiql/style.css) through their package.json exports
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.json'], exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
