import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import type { Plugin } from "vite";
import { SERVER_BUNDLE_DIR } from "./bundle-location.mjs";

/**
 * A Vite plugin that bundles the Express server (./start.ts and everything of
 * ours it imports; packages stay imports) into `<buildDir>/portal/` once the
 * Remix server build is written, so `remix vite:build` makes everything
 * `npm start` runs. Compiled once here, the server starts in about a second
 * of CPU instead of 2.5 through tsx, which transformed the same TypeScript
 * on every start, in every worker process and test server.
 */
export function serverBundle(buildDir: string): Plugin {
  let ssr = false;
  return {
    name: "portal-server-bundle",
    apply: "build",
    configResolved(config) {
      ssr = Boolean(config.build.ssr);
    },
    async closeBundle() {
      if (!ssr) return;
      const outdir = path.resolve(buildDir, SERVER_BUNDLE_DIR);
      // Chunk names carry a content hash: without this, every build would leave the last one's chunks behind.
      fs.rmSync(outdir, { recursive: true, force: true });
      await build({
        entryPoints: ["scripts/server/start.ts"],
        outdir,
        bundle: true,
        splitting: true,
        chunkNames: "chunk-[hash]",
        format: "esm",
        platform: "node",
        target: "node20",
        packages: "external",
        sourcemap: true,
        logLevel: "warning",
      });
    },
  };
}
