/**
 * The layers of src/ (ARCHITECTURE.md), bottom to top, and the rules `npm run depcheck` holds the
 * code to: no import circles, and no module imports one of a higher layer. Modules of one layer
 * may import each other (without circles). Test files and test support are not checked.
 * Rule syntax: https://github.com/sverweij/dependency-cruiser/blob/main/doc/rules-reference.md
 */
const LAYERS = [
  { name: 'base', says: 'plain values, wire formats, configuration', paths: ['^src/core/', '^src/wire/', '^src/config/'] },
  { name: 'store', says: 'the SQL store, its tables and migrations; the audit log', paths: ['^src/store/', '^src/audit/'] },
  {
    name: 'engines',
    says: 'metering, prices, translation, upstream providers, telemetry',
    paths: ['^src/metering/', '^src/pricing/', '^src/translate/', '^src/providers/', '^src/routing/', '^src/telemetry/'],
  },
  {
    name: 'domain',
    says: 'limits, usage, billing, accounts',
    paths: ['^src/limits/', '^src/usage/', '^src/billing/', '^src/accounts/'],
  },
  { name: 'exchange', says: 'the request pipeline and the runtime handlers receive', paths: ['^src/exchange/'] },
  { name: 'http', says: 'the HTTP core: server, route dispatch, bodies, authentication', paths: ['^src/http/'] },
  { name: 'surfaces', says: 'the model APIs: Anthropic Messages, OpenAI Chat Completions, models', paths: ['^src/surfaces/'] },
  {
    name: 'app',
    says: 'the admin, account and webhook APIs, console, CLI, reports, the route table and the gateway',
    paths: [
      '^src/admin/', '^src/cli/', '^src/console/', '^src/reports/', '^src/routes[.]ts$', '^src/gateway[.]ts$', '^src/main[.]ts$',
    ],
  },
];

const TESTS = '[.](test|bench)[.]ts$|/test-support[.]ts$|/test-fixtures[.]ts$|/testdata/';

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.name}`,
  comment: `${layer.name} (${layer.says}) imports only from its own layer and the ones below it`,
  severity: 'error',
  from: { path: layer.paths, pathNot: TESTS },
  to: { path: LAYERS.slice(i + 1).flatMap((l) => l.paths), pathNot: TESTS },
}));

const unplaced = {
  name: 'every-module-has-a-layer',
  comment: 'a module of src/ outside every layer: add its folder to LAYERS in .dependency-cruiser.cjs and to ARCHITECTURE.md',
  severity: 'error',
  from: { path: '^src/', pathNot: [TESTS, ...LAYERS.flatMap((l) => l.paths)] },
  to: {},
};

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'modules that import each other in a loop: move the shared part into a module both import',
      severity: 'error',
      from: { pathNot: TESTS },
      to: { circular: true },
    },
    ...layerRules,
    unplaced,
    {
      name: 'no-test-code-in-src',
      comment: 'the product never imports tests, test support or benchmarks',
      severity: 'error',
      from: { path: '^src/', pathNot: TESTS },
      to: { path: ['^test/', '^bench/', TESTS] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: TESTS },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
