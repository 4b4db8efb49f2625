import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { createBaseDatabase } from "./test-db";

declare module "vitest" {
  export interface ProvidedContext {
    baseDatabase: string;
  }
}

/** Set once the seed is shown: vitest loads this module once for each project. */
const SEED_SHOWN = Symbol.for("portal.test-seed-shown");

export default function setup(project: TestProject) {
  // The tests of each file run in a random order (vite.config.ts): say which, so a failure can be replayed.
  const shown = globalThis as { [SEED_SHOWN]?: boolean };
  if (!shown[SEED_SHOWN]) console.log(`Tests in a random order: replay it with --sequence.seed=${project.vitest.config.sequence.seed}`);
  shown[SEED_SHOWN] = true;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-base-"));
  project.provide("baseDatabase", createBaseDatabase(dir));
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
