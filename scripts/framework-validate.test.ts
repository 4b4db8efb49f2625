import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import v2 from "../content/technology-operations/v2.json";
import { migrateDatabase, openDatabase } from "../db/client";
import { frameworkVersions } from "../db/schema";

const root = path.resolve(__dirname, "..");
let dir: string;

function run(args: string[], databaseUrl = path.join(dir, "none.db")) {
  const result = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/framework-validate.ts", ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Writes a copy of T&O v2 as version `version`, changed by `change`, and returns its path. */
function file(name: string, version: string, change: (raw: any) => void = () => {}) {
  const raw: any = { ...structuredClone(v2), version };
  change(raw);
  const where = path.join(dir, name);
  fs.writeFileSync(where, JSON.stringify(raw, null, 2));
  return where;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-framework-cli-"));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("framework:validate CLI", () => {
  it("exits 0 with a one-line summary for a valid file", () => {
    const { status, stdout, stderr } = run([file("valid.json", "3")]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    expect(stdout).toMatch(/valid: Technology & Operations \(technology-operations\) version 3, 5 components/);
  });

  it("exits non-zero with every field-level problem", () => {
    const invalid = file("invalid.json", "3", (raw) => {
      raw.components[2].indicators.pop();
      raw.questions[0].componentId = "nowhere";
    });
    const { status, stdout, stderr } = run([invalid]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("components[2].indicators: must have 5 items");
    // Cross-checks run once the schema passes: fix the schema problem and the reference shows.
    const second = run([file("invalid2.json", "3", (raw) => (raw.questions[0].componentId = "nowhere"))]);
    expect(second.status).toBe(1);
    expect(second.stderr).toContain('questions[0].componentId: names component "nowhere", which this version does not have');
  });

  it("refuses a version a built-in or an upload in the portal's database uses", () => {
    expect(run([file("two.json", "2")]).stderr).toContain("version: version 2 is taken already");
    const databaseUrl = path.join(dir, "portal.db");
    const db = openDatabase(databaseUrl);
    migrateDatabase(db);
    db.insert(frameworkVersions)
      .values({
        frameworkId: "technology-operations",
        version: "3",
        content: "{}",
        contentHash: "0".repeat(64),
        status: "draft",
        uploadedByLabel: "someone",
      })
      .run();
    db.$client.close();
    const { status, stderr } = run([file("three.json", "3")], databaseUrl);
    expect(status).toBe(1);
    expect(stderr).toContain("version: version 3 is taken already");
  });

  it("says what is wrong with a file that is not JSON, or no file at all", () => {
    const broken = path.join(dir, "broken.json");
    fs.writeFileSync(broken, "{ nope");
    const notJson = run([broken]);
    expect(notJson.status).toBe(1);
    expect(notJson.stderr).toContain("The file is not valid JSON");
    const none = run([]);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain("error: name one file");
  });
});
