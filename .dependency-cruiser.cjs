// The layering of the packages, checked by `pnpm lint` (see docs/architecture.md):
// core at the bottom, adapters and the CLI on top of it, no adapter importing another;
// inside each package, product code never reaches into testing code; inside core, folders
// depend one way only. No cycles: between files (no-circular), and between folders, since
// every folder of product code may import only the folders listed below it (core's layers;
// the adapters' src/ is flat and never imports its src/testing/).

/** What a file of test support is called, wherever it lives. */
const TEST_SUPPORT_NAME =
  "(-emulator|-emulator-[a-z-]+|-test-scenario|-test-fixtures|-test-cluster|-controller-sim|test-git-repo|test-scenarios)\\.ts$";

/** Test code: test files, `testing/` folders and `testing.ts` entry points. */
const TEST_CODE = "(\\.test\\.ts$|/testing/|/src/testing\\.ts$|/__fixtures__/)";

const ADAPTERS = "(ci-[a-z]+|metrics-[a-z]+|deploy-[a-z]+|notify-[a-z]+|incident-[a-z]+)";

/**
 * core's folders, bottom first, with what each may import besides itself. Tests are left
 * out (they may use testing/); testing/ sits on top and may import anything.
 */
const CORE_LAYERS = {
  errors: [],
  contracts: ["errors"],
  util: ["errors", "contracts"],
  judge: ["errors", "contracts", "util"],
  model: ["errors", "contracts", "util", "judge"],
  verification: ["errors", "contracts", "util", "judge", "model"],
  artifacts: ["errors", "contracts", "util", "judge", "model"],
  defaults: ["errors", "contracts", "util", "judge", "model", "verification", "artifacts"],
  release: [
    "errors",
    "contracts",
    "util",
    "judge",
    "model",
    "verification",
    "artifacts",
    "defaults",
  ],
};

/** One rule per core folder: it imports only the folders below it. */
function coreLayers() {
  // contracts/ has its own named rule below.
  return Object.entries(CORE_LAYERS)
    .filter(([folder]) => folder !== "contracts")
    .map(([folder, below]) => ({
      name: `core-${folder}-imports-only-below`,
      comment: `core's ${folder}/ imports ${below.length ? below.join(", ") : "nothing else in core"} (and itself).`,
      severity: "error",
      from: { path: `^packages/core/src/${folder}/`, pathNot: "\\.test\\.ts$" },
      to: {
        path: "^packages/core/src/",
        pathNot: `^packages/core/src/(${[folder, ...below].join("|")})/`,
      },
    }));
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "No module may depend on itself through others.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "adapters-import-only-core",
      comment: "An adapter package imports @shipgate/core and itself, never another package.",
      severity: "error",
      from: { path: `^packages/${ADAPTERS}/`, pathNot: "^packages/deploy-helm/" },
      to: { path: "^packages/([^/]+)/", pathNot: ["^packages/$1/", "^packages/core/"] },
    },
    {
      name: "deploy-helm-imports-core-and-kubernetes",
      comment: "deploy-helm reuses deploy-kubernetes on purpose; nothing else.",
      severity: "error",
      from: { path: "^packages/deploy-helm/" },
      to: {
        path: "^packages/([^/]+)/",
        pathNot: ["^packages/deploy-helm/", "^packages/core/", "^packages/deploy-kubernetes/"],
      },
    },
    {
      name: "core-imports-no-package",
      comment: "@shipgate/core is the bottom layer.",
      severity: "error",
      from: { path: "^packages/core/" },
      to: { path: "^packages/", pathNot: "^packages/core/" },
    },
    {
      name: "product-code-imports-no-test-code",
      comment:
        "Product code never imports its package's testing/ folder, testing entry point, test helpers or test files. (Another package's public testing subpath, like the CLI's use of @shipgate/core/simulation, is that package's product.)",
      severity: "error",
      from: {
        path: "^packages/([^/]+)/src/",
        pathNot: TEST_CODE,
      },
      to: { path: [`^packages/$1/.*${TEST_CODE}`, `^packages/$1/.*${TEST_SUPPORT_NAME}`] },
    },
    {
      name: "test-support-lives-under-testing",
      comment:
        "Emulators, scenarios and test helpers live under src/testing/, never beside product code.",
      severity: "error",
      from: {
        path: `^packages/[^/]+/src/.*${TEST_SUPPORT_NAME}`,
        pathNot: "/testing/",
      },
      to: {},
    },
    {
      name: "contracts-import-only-errors",
      comment:
        "core's contracts/ are interfaces and their errors: they import errors/ and themselves only.",
      severity: "error",
      from: { path: "^packages/core/src/contracts/" },
      to: { path: "^packages/core/src/", pathNot: "^packages/core/src/(contracts|errors)/" },
    },
    ...coreLayers(),
  ],
  options: {
    includeOnly: "^packages/[^/]+/(src|bench|test)/",
    exclude: { path: "(^|/)(node_modules|dist)/" },
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["@shipgate/source", "import", "types", "default"],
      mainFields: ["module", "main", "types"],
      extensions: [".ts", ".js", ".mjs", ".json"],
    },
    reporterOptions: {
      dot: { collapsePattern: "^packages/[^/]+" },
    },
  },
};
