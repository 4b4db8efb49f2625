/**
 * npm run bench:seed -- --db <file>
 * Fills the `demo` organisation of a SQLite database (created with its demo
 * users when missing) with a large dataset for the benchmark: 2,000 models,
 * 10,000 versions, 200,000 audit events, 20,000 monitoring snapshots, 40
 * finalised assessments and a 5,000-item roadmap. Bulk rows go in through
 * prepared statements in large transactions; the audit hash chain stays valid.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { and, count, eq } from "drizzle-orm";
import { closeSharedDb, getDb, migrateDatabase, writeTransaction } from "../../db/client";
import { assessments, auditEvents, memberships, organizations, roadmapItems, users } from "../../db/schema";
import { DEMO_ORG, seedDemoOrganization } from "../../db/seed";
import type { Actor } from "../../app/modules/audit/audit.server";
import { canonicalJson, computeEventHash, GENESIS_HASH } from "../../app/modules/audit/hash";
import { createAssessment, finalizeAssessment, getAssessment } from "../../app/modules/assessment/assessments.server";
import { saveResponses } from "../../app/modules/assessment/capture.server";
import type { AssessmentResponsesInput } from "../../app/modules/assessment/assessment-schemas";
import { getFramework } from "../../app/modules/framework/framework";
import { generateRoadmapFromAssessment } from "../../app/modules/roadmap/roadmaps.server";
import { RISK_TIERS, STAGES } from "../../app/modules/registry/registry-constants";
import { ITEM_STATUSES } from "../../app/modules/roadmap/roadmap-constants";
import { quarterOf, shiftQuarter } from "../../app/utils/quarters";
import { cliOptions, fail } from "../cli";

export const LARGE = {
  models: 2_000,
  versionsPerModel: 5, // 10,000 versions
  auditEvents: 200_000,
  snapshots: 20_000,
  assessments: 40,
  roadmapItems: 5_000,
} as const;

const DAY = 86_400_000;
const BATCH = 20_000;

export type LargeOrg = {
  orgId: number;
  modelSlug: string;
  assessmentId: number;
  roadmapId: number;
  /** Models (with their latest version) a pipeline may post monitoring snapshots to; the first is `modelSlug`. */
  monitoredVersions: Array<{ slug: string; version: string }>;
  elapsedMs: number;
};

type Log = (line: string) => void;

/** Builds (or tops up) the large demo organisation in `dbFile`. Leaves the shared connection open on that file. */
export async function buildLargeOrganization(dbFile: string, log: Log = console.log): Promise<LargeOrg> {
  const started = performance.now();
  const step = (label: string) => log(`[bench:seed] ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  closeSharedDb();
  // eslint-disable-next-line no-restricted-syntax -- points this process's app connection (read through the env module) at the bench database
  process.env.DATABASE_URL = dbFile;
  const db = getDb();
  migrateDatabase(db);
  await seedDemoOrganization();
  const org = db.select().from(organizations).where(eq(organizations.slug, DEMO_ORG.slug)).get();
  if (!org) throw new Error("The demo organisation is missing after seeding");
  const leaderRow = db
    .select({ id: users.id, email: users.email })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .where(and(eq(memberships.orgId, org.id), eq(memberships.role, "leadership")))
    .get();
  const teamRow = db
    .select({ id: users.id, email: users.email })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .where(and(eq(memberships.orgId, org.id), eq(memberships.role, "team")))
    .get();
  if (!leaderRow || !teamRow) throw new Error("The demo organisation has no leadership or team member");
  const leader: Actor = { type: "user", id: leaderRow.id, label: leaderRow.email };
  const team: Actor = { type: "user", id: teamRow.id, label: teamRow.email };
  db.$client.pragma("synchronous = OFF"); // this connection only: a benchmark fixture, not production data
  step(`demo organisation ready (org ${org.id})`);

  const { assessmentId } = seedAssessments(org.id, leader);
  step(`${LARGE.assessments} finalised assessments`);
  const roadmapId = seedRoadmap(org.id, assessmentId, leader, teamRow.id);
  step(`roadmap ${roadmapId} with ${LARGE.roadmapItems} items`);
  seedRegistry(org.id, team);
  step(`${LARGE.models} models, ${LARGE.models * LARGE.versionsPerModel} versions, ${LARGE.snapshots} monitoring snapshots`);
  seedAuditEvents(org.id, team, (done) => step(`audit events: ${done}/${LARGE.auditEvents}`));
  db.$client.pragma("synchronous = NORMAL");
  db.$client.exec("ANALYZE");
  const elapsedMs = performance.now() - started;
  step("done");
  const monitoredVersions = Array.from({ length: 20 }, (_, i) => ({ slug: modelSlug(i + 1), version: latestVersion }));
  return { orgId: org.id, modelSlug: modelSlug(1), assessmentId, roadmapId, monitoredVersions, elapsedMs };
}

const modelSlug = (i: number) => `bench-model-${String(i).padStart(4, "0")}`;
const versionLabel = (v: number) => `1.${v}.0`;
/** Every bench model's newest version. */
const latestVersion = versionLabel(LARGE.versionsPerModel - 1);

// ---------------------------------------------------------------- assessments

function responses(level: number): AssessmentResponsesInput {
  const framework = getFramework();
  const capabilities: AssessmentResponsesInput["capabilities"] = framework.components.flatMap((component) =>
    component.capabilities.map((s) => ({
      id: s.id,
      status: s.level <= level ? ("in_place" as const) : s.level === level + 1 ? ("partial" as const) : ("none" as const),
    })),
  );
  const questions = framework.questions.map((q) => ({ id: q.id, level }));
  return { capabilities, questions };
}

/** 40 finalised assessments in distinct quarters before the current one (existing quarters are skipped). */
function seedAssessments(orgId: number, leader: Actor): { assessmentId: number } {
  const db = getDb();
  const taken = new Set(
    db
      .select({ period: assessments.period })
      .from(assessments)
      .where(eq(assessments.orgId, orgId))
      .all()
      .map((r) => r.period),
  );
  const benchCount =
    db
      .select({ n: count() })
      .from(assessments)
      .where(and(eq(assessments.orgId, orgId), eq(assessments.createdByLabel, leader.label), eq(assessments.status, "finalized")))
      .get()?.n ?? 0;
  const justifications = Object.fromEntries(getFramework().components.map((c) => [c.id, "bench"]));
  let period = quarterOf(new Date());
  let created = 0;
  let newestId: number | undefined;
  // A re-run on a filled database only tops up to 40 bench quarters.
  const wanted = benchCount >= LARGE.assessments + 4 ? 0 : LARGE.assessments;
  while (created < wanted) {
    period = shiftQuarter(period, -1);
    if (taken.has(period)) continue;
    const level = 2 + (created % 3); // levels 2–4, so a roadmap to the next level exists
    const row = createAssessment(orgId, { period }, leader);
    saveResponses(orgId, row.id, responses(level), leader);
    finalizeAssessment(orgId, row.id, { justifications }, leader);
    newestId ??= row.id;
    created++;
  }
  if (newestId === undefined) {
    const latest = db
      .select({ id: assessments.id })
      .from(assessments)
      .where(and(eq(assessments.orgId, orgId), eq(assessments.status, "finalized")))
      .orderBy(assessments.period)
      .all()
      .at(-1);
    if (!latest) throw new Error("No finalised assessment");
    newestId = latest.id;
  }
  if (getAssessment(orgId, newestId)?.status !== "finalized") throw new Error("Assessment seeding failed");
  return { assessmentId: newestId };
}

// ---------------------------------------------------------------- roadmap

function seedRoadmap(orgId: number, assessmentId: number, leader: Actor, ownerUserId: number): number {
  const db = getDb();
  const roadmapId = generateRoadmapFromAssessment(orgId, assessmentId, {}, leader);
  const existing = db.select().from(roadmapItems).where(eq(roadmapItems.roadmapId, roadmapId)).all();
  const template = existing[0];
  if (!template) throw new Error("The generated roadmap has no items");
  const insert = db.$client.prepare(
    `INSERT INTO roadmap_items (org_id, roadmap_id, item_key, title, components, workstream_key, workstream_title, start_month, end_month,
       due_date, priority, catch_up, status, owner_user_id, team, evidence, completed_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const now = Date.now();
  const start = new Date(now - 180 * DAY);
  writeTransaction({ orgId }, () => {
    for (let i = existing.length; i < LARGE.roadmapItems; i++) {
      const source = existing[i % existing.length]!;
      const status = ITEM_STATUSES[i % 4]!; // never "closed"
      const due = new Date(start.getTime() + (i % 540) * DAY).toISOString().slice(0, 10);
      insert.run(
        orgId,
        roadmapId,
        `bench-item-${String(i).padStart(5, "0")}`,
        `${source.title} (bench ${i})`,
        source.components,
        source.workstreamKey,
        source.workstreamTitle,
        source.startMonth,
        source.endMonth,
        due,
        source.priority,
        source.catchUp ? 1 : 0,
        status,
        i % 3 === 0 ? ownerUserId : null,
        i % 5 === 0 ? `Team ${i % 12}` : null,
        status === "done" ? "Bench evidence" : null,
        status === "done" ? now - (i % 90) * DAY : null,
        now,
        now,
      );
    }
  });
  return roadmapId;
}

// ---------------------------------------------------------------- registry

function seedRegistry(orgId: number, owner: Actor & { type: "user" }): void {
  const client = getDb().$client;
  const existing = new Set(
    (client.prepare("SELECT slug FROM models WHERE org_id = ? AND slug LIKE 'bench-model-%'").all(orgId) as Array<{ slug: string }>).map(
      (r) => r.slug,
    ),
  );
  const insertModel = client.prepare(
    `INSERT INTO models (org_id, slug, name, description, use_case, business_domain, risk_tier, owner_team, business_owner, owner_user_id, created_via, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'seed', ?, ?)`,
  );
  const insertTag = client.prepare("INSERT INTO model_tags (model_id, org_id, tag) VALUES (?, ?, ?)");
  const insertVersion = client.prepare(
    `INSERT INTO model_versions (org_id, model_id, version, major, minor, patch, stage, algorithm, framework, hyperparameters, training_data_ref,
       training_data_version, code_ref, artifact_uri, metrics, parent_version_id, lineage_complete, created_by_type, created_by_id, created_by_label,
       created_via, created_at, stage_changed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'user', ?, ?, 'seed', ?, ?)`,
  );
  const insertTransition = client.prepare(
    `INSERT INTO stage_transitions (org_id, model_id, version_id, from_stage, to_stage, actor_type, actor_id, actor_label, reason, created_at)
     VALUES (?, ?, ?, NULL, ?, 'user', ?, ?, 'registered', ?)`,
  );
  const insertSnapshot = client.prepare(
    `INSERT INTO monitoring_snapshots (org_id, model_id, version_id, observed_at, metrics, breaches, breach_count, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const domains = ["credit", "marketing", "operations", "fraud", "hr", "pricing", "support", "logistics"];
  const algorithms = ["xgboost", "logistic-regression", "random-forest", "transformer", "lightgbm"];
  const now = Date.now();
  const snapshotsPerModel = LARGE.snapshots / LARGE.models;
  writeTransaction({ orgId }, () => {
    for (let i = 1; i <= LARGE.models; i++) {
      const slug = modelSlug(i);
      if (existing.has(slug)) continue;
      const domain = domains[i % domains.length]!;
      const createdAt = now - (400 - (i % 365)) * DAY;
      const modelId = Number(
        insertModel.run(
          orgId,
          slug,
          `Bench model ${i}`,
          `Synthetic ${domain} model #${i} for the benchmark.`,
          `${domain} decisions`,
          domain,
          RISK_TIERS[i % RISK_TIERS.length],
          `team-${i % 20}`,
          `owner-${i % 50}@demo.local`,
          owner.id,
          createdAt,
          now - (i % 1000) * 3_600_000,
        ).lastInsertRowid,
      );
      insertTag.run(modelId, orgId, domain);
      insertTag.run(modelId, orgId, i % 2 ? "batch" : "realtime");
      let parent: number | null = null;
      let latestVersionId = 0;
      for (let v = 0; v < LARGE.versionsPerModel; v++) {
        const last = v === LARGE.versionsPerModel - 1;
        const stage = last ? STAGES[i % 4]! : "retired";
        const at = createdAt + v * 20 * DAY;
        const complete = i % 7 !== 0;
        const versionId: number = Number(
          insertVersion.run(
            orgId,
            modelId,
            versionLabel(v),
            1,
            v,
            0,
            stage,
            algorithms[i % algorithms.length],
            "sklearn",
            '{"max_depth":6}',
            complete ? `s3://data/${domain}/train.parquet` : null,
            complete ? `2026.${v}` : null,
            `git:abc${i}${v}`,
            `s3://models/${slug}/1.${v}.0`,
            JSON.stringify({ auc: 0.7 + (v % 5) / 50, accuracy: 0.8 + (i % 10) / 100 }),
            parent,
            complete ? 1 : 0,
            owner.id,
            owner.label,
            at,
            at,
          ).lastInsertRowid,
        );
        insertTransition.run(orgId, modelId, versionId, stage, owner.id, owner.label, at);
        parent = versionId;
        latestVersionId = versionId;
      }
      for (let s = 0; s < snapshotsPerModel; s++) {
        const observed = now - (snapshotsPerModel - s) * DAY;
        const breach = (i + s) % 17 === 0;
        insertSnapshot.run(
          orgId,
          modelId,
          latestVersionId,
          observed,
          JSON.stringify({ auc: breach ? 0.6 : 0.78, latency_ms: 40 + (s % 30) }),
          breach ? '["auc"]' : "[]",
          breach ? 1 : 0,
          observed,
        );
      }
    }
  });
}

// ---------------------------------------------------------------- audit events

const ACTIONS = [
  ["model.updated", "model"],
  ["version.registered", "model_version"],
  ["version.stage_changed", "model_version"],
  ["monitoring.snapshot_recorded", "model_version"],
  ["model_card.updated", "model_card"],
] as const;

/** Appends audit events to the organisation's chain up to LARGE.auditEvents, hashing them in order. */
function seedAuditEvents(orgId: number, actor: Actor & { type: "user" }, progress: (done: number) => void): void {
  const db = getDb();
  const client = db.$client;
  const have = db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.orgId, orgId)).get()?.n ?? 0;
  const head = client.prepare("SELECT hash, seq FROM audit_events WHERE org_id = ? ORDER BY id DESC LIMIT 1");
  const insert = client.prepare(
    `INSERT INTO audit_events (org_id, actor_type, actor_id, actor_label, action, entity_type, entity_id, payload, created_at, prev_hash, hash, seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const total = Math.max(0, LARGE.auditEvents - have);
  const base = Date.now() - total * 1000; // one event a second, ending now
  for (let done = 0; done < total;) {
    const size = Math.min(BATCH, total - done);
    writeTransaction({ orgId }, () => {
      const last = head.get(orgId) as { hash: string; seq: number | null } | undefined;
      let prevHash = last?.hash ?? GENESIS_HASH;
      // The organisation's own gapless numbering continues (recordAuditEvent numbers the events after these).
      let seq = last?.seq ?? 0;
      for (let k = 0; k < size; k++) {
        const n = done + k;
        const [action, entityType] = ACTIONS[n % ACTIONS.length]!;
        const content = {
          orgId,
          actorType: actor.type,
          actorId: actor.id,
          actorLabel: actor.label,
          action,
          entityType,
          entityId: String(1 + (n % LARGE.models)),
          payload: canonicalJson({ before: { n: n - 1 }, after: { n, note: "bench" } }),
          createdAt: base + n * 1000,
        };
        const hash = computeEventHash(prevHash, content);
        insert.run(
          orgId,
          content.actorType,
          content.actorId,
          content.actorLabel,
          content.action,
          content.entityType,
          content.entityId,
          content.payload,
          content.createdAt,
          prevHash,
          hash,
          ++seq,
        );
        prevHash = hash;
      }
    });
    done += size;
    progress(have + done);
  }
}

// ---------------------------------------------------------------- CLI

async function main(): Promise<void> {
  const { values } = cliOptions({ db: { type: "string" } });
  if (!values.db) fail("--db <file> is required");
  const result = await buildLargeOrganization(path.resolve(values.db));
  console.log(
    `[bench:seed] ${values.db}: org ${result.orgId}, model ${result.modelSlug}, assessment ${result.assessmentId}, roadmap ${result.roadmapId} ` +
      `in ${(result.elapsedMs / 1000).toFixed(1)} s`,
  );
  closeSharedDb();
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
