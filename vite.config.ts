import os from "node:os";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import { buildDirectory } from "./app/utils/env.server";
import { serverBundle } from "./scripts/server/bundle";
import { REMIX_FUTURE } from "./scripts/server/settings";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

// eslint-disable-next-line no-restricted-syntax -- set by vitest itself, not configuration
const isVitest = Boolean(process.env.VITEST);

export default defineConfig({
  server: { port: 3000 },
  build: { target: "es2022" },
  plugins: [
    !isVitest &&
      remix({
        // Separate build directories let parallel test runs not clobber each other.
        buildDirectory: buildDirectory(),
        ignoredRouteFiles: ["**/*.test.ts", "**/*.test.tsx"],
        future: REMIX_FUTURE,
      }),
    // The Express server, bundled beside the Remix build (npm start runs it without a TypeScript loader).
    !isVitest && serverBundle(buildDirectory()),
    tsconfigPaths(),
  ],
  test: {
    projects: [
      {
        extends: true,
        // Unit tests run in worker threads that keep their loaded modules from file to file (about 40%
        // quicker: importing the app for every file cost more than the tests). Each file still gets its
        // own database copy from the setup file, and every test makes the data it works on: files pass in any
        // order (`--sequence.shuffle.files`), and the tests inside a file run in a random one (below).
        test: {
          name: "unit",
          include: ["app/**/*.test.ts", "db/**/*.test.ts", "scripts/**/*.test.ts"],
          pool: "threads",
        },
      },
      // Integration files change the environment and start servers: each runs in a fresh process.
      { extends: true, test: { name: "integration", include: ["tests/integration/**/*.test.ts"] } },
    ],
    // The tests inside each file run in a new random order on every run (the files keep vitest's own order),
    // so a test that leans on what an earlier one made or changed fails at once. In both projects: vitest 3
    // takes `sequence` from here only, not per project. The seed is printed at the start (global setup);
    // `--sequence.seed=<n>` replays that order.
    sequence: { shuffle: { files: false, tests: true }, seed: Date.now() },
    globalSetup: ["tests/setup/vitest-global-setup.ts"],
    setupFiles: ["tests/setup/vitest-setup.ts"],
    pool: "forks",
    // Isolation is set per pool, not per project: the unit project's threads share modules, integration's forks do not.
    poolOptions: { threads: { isolate: false }, forks: { isolate: true } },
    // At least two files at once even on two cores (vitest's default there is one): integration
    // files mostly wait for their server process.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    testTimeout: 20_000,
  },
});
