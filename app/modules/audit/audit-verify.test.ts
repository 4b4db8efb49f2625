import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateDatabase, openDatabase } from "../../../db/client";
import { organizations } from "../../../db/schema";
import { recordAuditEvent, SYSTEM_ACTOR, verifyAuditChain } from "./audit.server";
import { writeCheckpoint } from "./checkpoints.server";
import { rewriteChain } from "../../../tests/setup/audit-attacker";

/**
 * `npm run audit:verify` (scripts/audit-verify.ts) run as a child process
 * against a database file of its own: exit 0 with "ok" lines while the chains
 * are intact, exit 1 naming the first broken event once one is tampered with.
 */

const ROOT = path.resolve(__dirname, "../../..");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-verify-test-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Fixture = {
  file: string;
  acme: { id: number; slug: string; eventIds: number[] };
  globex: { id: number; slug: string; eventIds: number[] };
};

/** A migrated database with two organisations, a few events each and one site-wide event. */
function prepareDatabase(name: string): Fixture {
  const file = path.join(dir, name, "portal.db");
  const db = openDatabase(file);
  try {
    migrateDatabase(db);
    const make = (slug: string) => {
      const org = db.insert(organizations).values({ slug, name: slug.toUpperCase() }).returning().get();
      const eventIds = [1, 2, 3, 4].map(
        (n) =>
          recordAuditEvent(db, {
            orgId: org.id,
            actor: { type: "user", id: n, label: `user${n}@${slug}.test` },
            action: n === 1 ? "model.created" : "model.updated",
            entityType: "model",
            entityId: 7,
            before: n === 1 ? undefined : { name: `v${n - 1}` },
            after: { name: `v${n}` },
          }).id,
      );
      return { id: org.id, slug, eventIds };
    };
    const acme = make("acme");
    const globex = make("globex");
    recordAuditEvent(db, { orgId: null, actor: SYSTEM_ACTOR, action: "auth.login", entityType: "user", entityId: 1 });
    expect(verifyAuditChain(acme.id, db)).toEqual({ ok: true, events: 4 });
    return { file, acme, globex };
  } finally {
    db.$client.close();
  }
}

function runVerify(file: string, args: string[] = [], extraEnv: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/audit-verify.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: file, ...extraEnv },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}\n${result.stderr}` };
}

/** Raw SQL on the file, outside the app. */
function sqlOn(file: string, statements: (db: Database.Database) => void) {
  const db = new Database(file);
  try {
    statements(db);
  } finally {
    db.close();
  }
}

describe("scripts/audit-verify.ts", () => {
  let fixture: Fixture;
  beforeAll(() => {
    fixture = prepareDatabase("intact");
  });

  it("exits 0 with an ok line per organisation and for the site-wide chain", () => {
    const run = runVerify(fixture.file);
    expect(run.code, run.output).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toContain("ok      acme: 4 events");
    expect(lines).toContain("ok      globex: 4 events");
    expect(lines).toContain("ok      (site-wide sign-in events): 1 events");
    expect(run.stdout).not.toContain("BROKEN");
  });

  it("checks a single organisation with --org", () => {
    const run = runVerify(fixture.file, ["--org", "globex"]);
    expect(run.code, run.output).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual(["ok      globex: 4 events"]);
  });

  it("fails with one clear line for an unknown organisation", () => {
    const run = runVerify(fixture.file, ["--org", "nope"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('No organisation with slug "nope"');
  });

  it("the database itself refuses to update or delete an audit event", () => {
    sqlOn(fixture.file, (db) => {
      expect(() => db.prepare("update audit_events set payload = '{}' where id = ?").run(fixture.acme.eventIds[1])).toThrow(/append-only/);
      expect(() => db.prepare("delete from audit_events where id = ?").run(fixture.acme.eventIds[1])).toThrow(/append-only/);
    });
    expect(runVerify(fixture.file).code).toBe(0);
  });
});

describe("scripts/audit-verify.ts on a tampered database", () => {
  it("exits 1 and names the event whose payload was changed; other chains stay ok", () => {
    const { file, acme } = prepareDatabase("tampered-payload");
    const victim = acme.eventIds[2]!;
    sqlOn(file, (db) => {
      db.exec("DROP TRIGGER audit_events_no_update");
      const changed = db.prepare(`update audit_events set payload = '{"after":{"name":"forged"}}' where id = ?`).run(victim);
      expect(changed.changes).toBe(1);
    });
    const run = runVerify(file);
    expect(run.code, run.output).toBe(1);
    const lines = run.stdout.trim().split("\n");
    const broken = lines.find((l) => l.startsWith("BROKEN  acme:"));
    expect(broken, run.output).toBeDefined();
    expect(broken).toContain(`first broken event #${victim}`);
    expect(broken).toContain("content does not match its hash");
    expect(broken).toContain("after 2 intact events");
    expect(lines).toContain("ok      globex: 4 events");
    expect(lines).toContain("ok      (site-wide sign-in events): 1 events");

    // The one-organisation check fails too; the other organisation passes on its own.
    const one = runVerify(file, ["--org", "acme"]);
    expect(one.code).toBe(1);
    expect(one.stdout).toContain(`#${victim}`);
    expect(runVerify(file, ["--org", "globex"]).code).toBe(0);
  });

  it("names the event after a deleted one (its previous hash no longer matches)", () => {
    const { file, globex } = prepareDatabase("tampered-delete");
    sqlOn(file, (db) => {
      db.exec("DROP TRIGGER audit_events_no_delete");
      db.prepare("delete from audit_events where id = ?").run(globex.eventIds[1]);
    });
    const run = runVerify(file);
    expect(run.code, run.output).toBe(1);
    const broken = run.stdout.split("\n").find((l) => l.startsWith("BROKEN  globex:"));
    expect(broken).toContain(`first broken event #${globex.eventIds[2]}`);
    expect(broken).toContain("previous hash does not match");
    expect(run.stdout).toContain("ok      acme: 4 events");
  });
});

/**
 * Issue #14: the probe rewrote an event's actor and recomputed every later
 * hash with computeEventHash, and deleted the last events: `audit:verify`
 * said ok both times. Signed checkpoints (stored, and an outside copy given
 * with --checkpoint) catch both.
 */
describe("scripts/audit-verify.ts against signed checkpoints", () => {
  const key = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const withKey = { AUDIT_SIGNING_KEY: key };

  function checkpoint(file: string, orgId: number) {
    const previous = process.env.AUDIT_SIGNING_KEY;
    process.env.AUDIT_SIGNING_KEY = key;
    const db = openDatabase(file);
    try {
      return writeCheckpoint(db, orgId, "manual")!;
    } finally {
      db.$client.close();
      if (previous === undefined) delete process.env.AUDIT_SIGNING_KEY;
      else process.env.AUDIT_SIGNING_KEY = previous;
    }
  }

  /** The probe's rewrite: event 2's actor changed, every later hash recomputed. */
  function rewriteWithRecomputedHashes(file: string, orgId: number) {
    sqlOn(file, (db) =>
      rewriteChain(db, orgId, (row) => {
        if (row.seq === 2) row.actor_label = "mallory@acme.test";
      }),
    );
  }

  it("a rewrite with recomputed hashes: exit 1 naming the sequence number the stored checkpoint disagrees at", () => {
    const { file, acme } = prepareDatabase("cp-rewrite");
    checkpoint(file, acme.id);
    rewriteWithRecomputedHashes(file, acme.id);
    const run = runVerify(file, [], withKey);
    expect(run.code, run.output).toBe(1);
    expect(run.stdout).toMatch(/BROKEN {2}acme: sequence 4 disagrees/);
    expect(run.stdout).toContain("ok      globex: 4 events");
  });

  it("a truncated tail (triggers dropped): exit 1 naming the first missing sequence number", () => {
    const { file, acme } = prepareDatabase("cp-truncate");
    checkpoint(file, acme.id);
    sqlOn(file, (db) => {
      db.exec("DROP TRIGGER audit_events_no_delete");
      db.prepare("delete from audit_events where org_id = ? and seq > 1").run(acme.id);
    });
    const run = runVerify(file, [], withKey);
    expect(run.code, run.output).toBe(1);
    expect(run.stdout).toMatch(/BROKEN {2}acme: sequence 2 disagrees: events are missing/);
  });

  it("the key holder re-signs after rewriting; the outside copy given with --checkpoint still catches it", () => {
    const { file, acme } = prepareDatabase("cp-outside");
    const outside = checkpoint(file, acme.id);
    const copy = path.join(dir, "cp-outside", "board-report-checkpoint.json");
    fs.writeFileSync(copy, JSON.stringify(outside));
    rewriteWithRecomputedHashes(file, acme.id);
    sqlOn(file, (db) => {
      db.exec("DROP TRIGGER audit_checkpoints_no_delete");
      db.prepare("delete from audit_checkpoints").run();
    });
    checkpoint(file, acme.id); // re-signed with the real key
    expect(runVerify(file, [], withKey).code).toBe(0);
    const run = runVerify(file, ["--checkpoint", copy], withKey);
    expect(run.code, run.output).toBe(1);
    expect(run.stdout).toMatch(/BROKEN {2}acme: sequence 4 disagrees: event 4 differs from the given checkpoint/);
  });

  it("npm run audit:checkpoint signs every chain and prints the checkpoints as JSON that verify accepts back", () => {
    const { file } = prepareDatabase("cp-cli");
    const result = spawnSync(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/audit-checkpoint.ts", "--org", "acme"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: file, ...withKey },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as { seq: number; headHash: string; reason: string; signature: string };
    expect(printed).toMatchObject({ seq: 4, reason: "manual" });
    const copy = path.join(dir, "cp-cli", "checkpoint.json");
    fs.writeFileSync(copy, result.stdout);
    const run = runVerify(file, ["--checkpoint", copy], withKey);
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toContain("ok      acme: 4 events, 2 checkpoints agree");
  });
});

describe("the database refuses REPLACE and UPSERT onto an audit event (issue #14)", () => {
  it("INSERT OR REPLACE, REPLACE and an UPSERT on an existing event or position fail; checkpoints are append-only", () => {
    const { file, acme } = prepareDatabase("replace");
    const victim = acme.eventIds[1]!;
    sqlOn(file, (db) => {
      const copy = `SELECT id, org_id, actor_type, actor_id, 'mallory', action, entity_type, entity_id, payload, created_at, prev_hash, hash, seq
                    FROM audit_events WHERE id = ${victim}`;
      const columns =
        "(id, org_id, actor_type, actor_id, actor_label, action, entity_type, entity_id, payload, created_at, prev_hash, hash, seq)";
      expect(() => db.exec(`INSERT OR REPLACE INTO audit_events ${columns} ${copy}`)).toThrow(/append-only/);
      expect(() => db.exec(`REPLACE INTO audit_events ${columns} ${copy}`)).toThrow(/append-only/);
      expect(() => db.exec(`INSERT INTO audit_events ${columns} ${copy} ON CONFLICT DO NOTHING`)).toThrow(/append-only/);
      // The same position in the chain under a new id.
      const samePosition = copy.replace("SELECT id,", "SELECT NULL,");
      expect(() => db.exec(`INSERT OR REPLACE INTO audit_events ${columns} ${samePosition}`)).toThrow(/append-only/);
      expect(db.prepare("select actor_label from audit_events where id = ?").pluck().get(victim)).not.toBe("mallory");
      db.prepare(
        "insert into audit_checkpoints (org_id, seq, head_hash, created_at, reason, key_id, signature) values (?, 1, 'h', 0, 'manual', 'k', 's')",
      ).run(acme.id);
      expect(() => db.exec("update audit_checkpoints set seq = 2")).toThrow(/append-only/);
      expect(() => db.exec("delete from audit_checkpoints")).toThrow(/append-only/);
      expect(() =>
        db.exec(
          "insert or replace into audit_checkpoints select id, org_id, 9, head_hash, created_at, reason, key_id, signature from audit_checkpoints",
        ),
      ).toThrow(/append-only/);
    });
    // The events are intact; the unsigned checkpoint row that went in is reported, not trusted.
    const run = runVerify(file);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("ok      globex: 4 events");
    expect(run.stdout).toMatch(
      /BROKEN {2}acme: sequence 1 disagrees: stored checkpoint #\d+ \(sequence 1\) is not signed by this installation's key/,
    );
  });
});
