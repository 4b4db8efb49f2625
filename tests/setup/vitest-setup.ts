import fs from "node:fs";
import path from "node:path";
import { afterAll, inject } from "vitest";
import { closeSharedDb } from "../../db/client";
import { copyBaseDatabase } from "./test-db";

// Every test file gets its own copy of the migrated base database.
const file = copyBaseDatabase(inject("baseDatabase"));
process.env.DATABASE_URL = file;
process.env.SESSION_SECRET ??= "test-session-secret";
closeSharedDb();

afterAll(() => {
  closeSharedDb();
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});
