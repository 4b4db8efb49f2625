// ESLint flat config: `npm run lint` (part of `npm test`). Formatting is Prettier's job
// (`npm run format`), so eslint-config-prettier switches off every stylistic rule.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import react from "eslint-plugin-react";
import reactHooks from "eslint-plugin-react-hooks";
import jsxA11y from "eslint-plugin-jsx-a11y";
import { importX } from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import comments from "@eslint-community/eslint-plugin-eslint-comments/configs";
import prettier from "eslint-config-prettier";
import globals from "globals";

/** The one module that reads configuration from the environment. */
const ENV_MODULE = "app/utils/env.server.ts";

/**
 * The domain ladder of docs/decisions/0007-domain-layout.md, lowest rung first: a domain may import
 * only from the rungs below its own, so domain folders never import each other in a circle.
 */
const DOMAIN_RUNGS = [
  ["framework", "audit"],
  ["notifications"],
  ["auth", "registry"],
  ["assessment"],
  ["roadmap"],
  ["governance"],
  ["dashboard", "reports", "http"],
];
const layerZones = DOMAIN_RUNGS.flatMap((rung, index) =>
  rung.flatMap((domain) =>
    DOMAIN_RUNGS.slice(index)
      .flat()
      .filter((other) => other !== domain)
      .map((other) => ({
        target: `./app/modules/${domain}`,
        from: `./app/modules/${other}`,
        message: `${domain} may import only from the rungs below its own (docs/decisions/0007-domain-layout.md); move the shared piece down or the caller up.`,
      })),
  ),
);

export default tseslint.config(
  {
    ignores: [
      "build/",
      "build-*/",
      "node_modules/",
      "public/",
      "screens/",
      "test-results/",
      "playwright-report/",
      "bench/results/",
      "bench/floor/",
      "data/",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-console": "off",
    },
  },
  {
    files: ["**/*.tsx"],
    ...react.configs.flat.recommended,
    ...react.configs.flat["jsx-runtime"],
    settings: { react: { version: "18.3" } },
    rules: {
      ...react.configs.flat.recommended.rules,
      ...react.configs.flat["jsx-runtime"].rules,
      "react/prop-types": "off",
    },
  },
  {
    files: ["**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
  { files: ["**/*.tsx"], ...jsxA11y.flatConfigs.recommended },
  // The layout rules: no import cycles between modules; the data cache sits above the domains.
  {
    plugins: { "import-x": importX },
    settings: { "import-x/resolver-next": [createTypeScriptImportResolver({ project: "tsconfig.json" })] },
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    ignores: ["**/*.test.ts", "**/*.test.tsx"],
    plugins: { "import-x": importX },
    rules: {
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            ...layerZones,
            { target: "./app/modules", from: "./app/routes", message: "Domains never import routes." },
            { target: "./app/modules", from: "./app/api", message: "Domains never import the API's handlers (they sit with the routes)." },
            { target: "./app/modules", from: "./app/data-cache.server.ts", message: "The data cache sits above the domains." },
            { target: "./app/utils", from: "./app/modules", message: "app/utils is generic: it imports no domain." },
          ],
        },
      ],
    },
  },
  // Every eslint-disable comment says why (`-- reason`).
  comments.recommended,
  { rules: { "@eslint-community/eslint-comments/require-description": ["error", { ignore: [] }] } },
  // Configuration comes from the environment through one module only. Handing the whole
  // environment on to a child process (`{ ...process.env }`) reads nothing, so it is allowed.
  {
    ignores: [ENV_MODULE, "tests/**", "**/*.test.ts", "**/*.test.tsx", "playwright.config.ts", "scripts/test.mjs"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[object.name='process'][property.name='env']:not(SpreadElement > MemberExpression)",
          message: `Read configuration through ${ENV_MODULE}, which validates it at start.`,
        },
      ],
    },
  },
  // Tests may reach into loosely typed answers.
  { files: ["tests/**", "**/*.test.ts", "**/*.test.tsx"], rules: { "@typescript-eslint/no-explicit-any": "off" } },
  prettier,
);
