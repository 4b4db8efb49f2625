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

export default function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-base-"));
  project.provide("baseDatabase", createBaseDatabase(dir));
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
