/**
 * Issue #14 §2 on the real production server: the audit trail checked from
 * outside. An auditor with an `audit:read` token exports the events exactly as
 * stored and verifies them without the portal; the public key checks a
 * checkpoint; `GET /api/v1/audit/verify` (and the audit page's button) catch a
 * rewrite with every later hash recomputed, which the API used to call ok;
 * the board report and the audit CSV carry the checkpoint they were produced with.
 */
import { generateKeyPairSync } from "node:crypto";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointSignatureValid, parseCheckpointFile, publicKeyFromBase64 } from "../../app/modules/audit/checkpoint";
import { computeEventHash, GENESIS_HASH, type AuditEventContent } from "../../app/modules/audit/hash";
import { parseJsonLines, send } from "../setup/api-client";
import { rewriteChain, type StoredEventRow } from "../setup/audit-attacker";
import { acquirePortalBuild, killAllPortals } from "../setup/portal-server";
import { parseCsv, readPdfPages, pdfLines } from "../setup/readers";
import { startHostileEnv, type HostileEnv } from "./hostile-fixtures";

let env: HostileEnv;
let releaseBuild = () => {};
const signingKey = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();

beforeAll(async () => {
  const build = acquirePortalBuild();
  releaseBuild = build.release;
  process.env.AUDIT_SIGNING_KEY = signingKey;
  env = await startHostileEnv(build.buildDir, "portal-audit-trail-", { AUDIT_SIGNING_KEY: signingKey });
}, 240_000);

afterAll(async () => {
  await env?.stop();
  killAllPortals();
  releaseBuild();
  delete process.env.AUDIT_SIGNING_KEY;
});

const api = (urlPath: string) => send(env.server.baseUrl, `/api/v1${urlPath}`, { bearer: env.token });
const page = (urlPath: string, init: { method?: string; body?: URLSearchParams } = {}) =>
  send(env.server.baseUrl, urlPath, {
    ...init,
    cookie: env.cookies.admin,
    headers: init.body ? { "content-type": "application/x-www-form-urlencoded", origin: env.server.baseUrl } : {},
  });

type Line = AuditEventContent & { seq: number; prevHash: string; hash: string };

describe("the audit trail from outside", () => {
  it("GET /audit/events pages through every event exactly as stored; an outside auditor recomputes the chain", async () => {
    const lines: Line[] = [];
    let next: string | null = "/audit/events?limit=100";
    while (next) {
      const reply = await api(next);
      expect(reply.status, reply.text.slice(0, 200)).toBe(200);
      expect(reply.contentType).toContain("application/x-ndjson");
      lines.push(...(parseJsonLines(reply.text) as Line[]));
      next = /<\/api\/v1([^>]+)>; rel="next"/.exec(reply.headers.get("link") ?? "")?.[1] ?? null;
    }
    const stored = env.db.prepare("select count(*) from audit_events where org_id = ?").pluck().get(env.orgId) as number;
    expect(lines.length).toBe(stored);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    let prev = GENESIS_HASH;
    for (const line of lines) {
      expect(line.prevHash).toBe(prev);
      // The recipe of the README: the event's content fields only, with the previous hash.
      const { orgId, actorType, actorId, actorLabel, action, entityType, entityId, payload, createdAt } = line;
      const content = { orgId, actorType, actorId, actorLabel, action, entityType, entityId, payload, createdAt };
      expect(computeEventHash(prev, content)).toBe(line.hash);
      prev = line.hash;
    }
  });

  it("a bad afterSeq, limit or seq is 422 naming it, in words", async () => {
    for (const [query, path, message] of [
      ["/audit/events?afterSeq=abc", "afterSeq", "Use a whole number, 0 or more"],
      ["/audit/events?limit=0", "limit", "Use a whole number from 1 to 5,000"],
      ["/audit/events?limit=ten", "limit", "Use a whole number from 1 to 5,000"],
      [`/audit/verify?seq=abc&headHash=${"0".repeat(64)}`, "seq", "Use a whole number, 1 or more"],
    ]) {
      const reply = await api(query!);
      expect(reply.status, query).toBe(422);
      expect(JSON.parse(reply.text).error.issues, query).toEqual([{ path, message }]);
    }
  });

  it("the public key checks the checkpoint a CSV export carries, and the export's checkpoint verifies", async () => {
    const csv = await page(`/orgs/${env.orgSlug}/audit.csv`);
    expect(csv.status).toBe(200);
    const rows = parseCsv(csv.text.replace(/^\uFEFF/, ""));
    const last = rows.at(-1)!;
    expect(last[0]).toBe("checkpoint");
    const [checkpoint] = parseCheckpointFile(last[7]!);
    expect(csv.headers.get("x-audit-checkpoint")).toBe(`seq=${checkpoint!.seq}; head-hash=${checkpoint!.headHash}`);
    const key = JSON.parse((await api("/audit/public-key")).text) as { keyId: string; publicKey: string };
    expect(key.keyId).toBe(checkpoint!.keyId);
    expect(checkpointSignatureValid(checkpoint!, publicKeyFromBase64(key.publicKey))).toBe(true);
    expect((await api(`/audit/public-key?keyId=${"0".repeat(64)}`)).status).toBe(404);
  });

  it("the board report prints the checkpoint it was produced with", async () => {
    const id = env.db.prepare("select id from assessments where org_id = ? and status = 'finalized' limit 1").pluck().get(env.orgId);
    const reply = await fetch(`${env.server.baseUrl}/orgs/${env.orgSlug}/assessments/${id}.pdf`, {
      headers: { cookie: env.cookies.leadership },
    });
    expect(reply.status).toBe(200);
    const text = readPdfPages(new Uint8Array(await reply.arrayBuffer()))
      .flatMap(pdfLines)
      .join(" ");
    const head = env.db.prepare("select seq, hash from audit_events where org_id = ? order by id desc limit 1").get(env.orgId) as {
      seq: number;
      hash: string;
    };
    expect(text).toContain(`Produced at audit event ${head.seq}, head hash ${head.hash}`);
    const stored = env.db
      .prepare("select reason from audit_checkpoints where org_id = ? and seq = ? and head_hash = ?")
      .pluck()
      .all(env.orgId, head.seq, head.hash);
    expect(stored.length).toBeGreaterThan(0);
  });

  it("the audit CSV keeps the raw action names and adds the sequence and the label", async () => {
    // (Moved from the Playwright dashboard spec: a download needs no browser.)
    const reply = await send(env.server.baseUrl, `/orgs/${env.orgSlug}/audit.csv?action=roadmap_item.updated`, {
      cookie: env.cookies.auditor,
    });
    expect(reply.status).toBe(200);
    const [header, row] = reply.text.replace(/^\uFEFF/, "").split("\r\n");
    expect(header).toBe("id,created_at,actor_type,actor,action,entity_type,entity_id,payload,prev_hash,hash,seq,action_label");
    expect(row).toContain(",roadmap_item.updated,");
    expect(row).toMatch(/,\d+,Roadmap item updated$/);
  });

  it("refuses to export with filters that are not valid, rather than exporting the whole log", async () => {
    const reply = await send(env.server.baseUrl, `/orgs/${env.orgSlug}/audit.csv?from=2026-03-02&to=2026-03-01`, {
      cookie: env.cookies.auditor,
    });
    expect(reply.status).toBe(422);
    expect(reply.text).toContain("to: The end date is before the start date");
    const onPage = await page(`/orgs/${env.orgSlug}/audit?from=2026-03-02&to=2026-03-01`);
    expect(onPage.text).toContain("The end date is before the start date");
    // The whole log under the error would read as its result.
    expect(onPage.text).toContain("Correct the filters above to see the events.");
    expect(onPage.text).not.toContain("<table");
    expect(onPage.text).not.toContain("Export CSV");
  });

  it("the log opened from a model's page names the model and keeps to it when other filters change", async () => {
    const model = env.db.prepare("select id, name from models where org_id = ? order by id limit 1").get(env.orgId) as {
      id: number;
      name: string;
    };
    const scoped = await page(`/orgs/${env.orgSlug}/audit?entityType=model&entityId=${model.id}`);
    expect(scoped.status).toBe(200);
    expect(scoped.text).toContain(`Only the events of <strong>${model.name}</strong>`);
    expect(scoped.text).toMatch(new RegExp(`<input type="hidden" name="entityId" value="${model.id}"/>`));
  });

  it("a rewrite with every later hash recomputed: verify (API and page) names the sequence number; an anchor catches it too", async () => {
    // An export signs a checkpoint of the chain as it is.
    expect((await page(`/orgs/${env.orgSlug}/audit.csv`)).status).toBe(200);
    const before = JSON.parse((await api("/audit/verify")).text) as { ok: boolean; headSeq: number; headHash: string; checkpoints: number };
    expect(before).toMatchObject({ ok: true });
    expect(before.checkpoints).toBeGreaterThan(0);
    const anchor = { seq: before.headSeq, hash: before.headHash };

    // Someone holding the database file.
    const file = new Database(env.file);
    rewriteChain(file, env.orgId, (row: StoredEventRow) => {
      if (row.seq === 29) row.actor_label = "mallory@evil.example";
    });
    const after = JSON.parse((await api("/audit/verify")).text);
    expect(after).toMatchObject({ ok: false, brokenBy: "checkpoint" });
    expect(after.firstBrokenSeq).toBeGreaterThanOrEqual(29);
    expect(after.firstBrokenSeq).toBeLessThanOrEqual(anchor.seq);

    // Stored checkpoints deleted too: the sequence number and hash printed on a report still catch it.
    file.exec("DROP TRIGGER audit_checkpoints_no_delete; DELETE FROM audit_checkpoints;");
    file.close();
    expect(JSON.parse((await api("/audit/verify")).text)).toMatchObject({ ok: true });
    const anchored = JSON.parse((await api(`/audit/verify?seq=${anchor.seq}&headHash=${anchor.hash}`)).text);
    expect(anchored).toMatchObject({ ok: false, firstBrokenSeq: anchor.seq, brokenBy: "anchor" });

    const form = new URLSearchParams({ seq: String(anchor.seq), headHash: anchor.hash });
    const verified = await page(`/orgs/${env.orgSlug}/audit`, { method: "POST", body: form });
    expect(verified.status).toBe(200);
    expect(verified.text).toContain(`The log does not hold that hash at event ${anchor.seq}.`);
    expect(verified.text).toContain("the log was changed after it was made: tell the organisation&#x27;s admins.");
  });

  it("a number and hash typed in with a typo tell the person who typed them, and alert nobody", async () => {
    const alerts = () =>
      env.db
        .prepare("select count(*) from notifications where org_id = ? and event_type = 'audit.verification_failed'")
        .pluck()
        .get(env.orgId);
    const before = alerts();
    const typo = JSON.parse((await api(`/audit/verify?seq=1&headHash=${"a".repeat(64)}`)).text);
    expect(typo).toMatchObject({ ok: false, firstBrokenSeq: 1, brokenBy: "anchor" });
    const form = new URLSearchParams({ seq: "999999", headHash: "b".repeat(64) });
    const verified = await page(`/orgs/${env.orgSlug}/audit`, { method: "POST", body: form });
    expect(verified.text).toMatch(/The log does not hold that hash at event \d+ \(it ends at event \d+\)\./);
    expect(verified.text).toContain("Only you see this result.");
    expect(alerts()).toBe(before);
  });
});
