import { and, count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import {
  approvalDecisions,
  approvalRequests,
  auditEvents,
  memberships,
  modelVersions,
  organizations,
  stageTransitions,
  users,
} from "../../../db/schema";
import { verifyAuditChain, type Actor } from "../audit/audit.server";
import type { Role } from "../auth/roles";
import type { RiskTier, Stage } from "../registry/registry-constants";
import { createModel, createVersion } from "../registry/registry.server";
import { transitionVersion } from "../governance/transitions.server";
import {
  cancelApprovalRequest,
  decideApprovalRequest,
  getApprovalRequest,
  listApprovalRequests,
  openApprovalRequest,
  openApprovalRequestsAwaiting,
  type Approver,
} from "./approvals.server";
import { runBiasAudit, signOffBiasAudit } from "./bias-audits.server";
import { GateRefusal } from "./gates";
import { gateChecksForVersion } from "./gates.server";
import { BiasAuditConfigSchema } from "./governance-schemas";
import { emptySections } from "./model-card";
import { reviewModelCard, saveModelCard, submitModelCard } from "./model-cards.server";
import { catchDomainError as catchDomain } from "../../../tests/setup/domain-errors";
import { writtenCardSections } from "../../../tests/setup/model-cards";

const SYSTEM: Actor = { type: "system", label: "test" };
const LINEAGE = {
  codeRef: "git:abc123",
  trainingData: { ref: "s3://data/train.parquet", version: "2026-01" },
  hyperparameters: { lr: 0.01 },
  metrics: { auc: 0.9 },
};
const FAIR_CONFIG = BiasAuditConfigSchema.parse({
  groupColumns: ["group"],
  labelColumn: "label",
  positiveLabels: ["1"],
  predictionColumn: "prediction",
  positivePredictions: ["1"],
});
const FAIR_ROWS = ["a", "b"].flatMap((group) => Array.from({ length: 40 }, (_, i) => ({ group, label: i % 2, prediction: i % 2 })));

type Person = { id: number; email: string; role: Role; actor: Actor; approver: Approver };
type Org = {
  id: number;
  people: Record<"owner" | "requester" | "ethics" | "ethics2" | "leadership" | "leadership2" | "admin" | "auditor" | "team2", Person>;
};

let orgCounter = 0;
function newOrg(): Org {
  orgCounter++;
  const db = getDb();
  const org = db
    .insert(organizations)
    .values({ slug: `approvals-${orgCounter}`, name: `Approvals ${orgCounter}` })
    .returning()
    .get();
  const roles = {
    owner: "team",
    requester: "team",
    team2: "team",
    ethics: "ethics",
    ethics2: "ethics",
    leadership: "leadership",
    leadership2: "leadership",
    admin: "admin",
    auditor: "auditor",
  } as const;
  const people = Object.fromEntries(
    Object.entries(roles).map(([key, role]) => {
      const email = `${key}.${orgCounter}@approvals.test`;
      const user = db.insert(users).values({ email, name: key, passwordHash: "x" }).returning().get();
      db.insert(memberships).values({ orgId: org.id, userId: user.id, role }).run();
      const actor: Actor = { type: "user", id: user.id, label: email };
      return [key, { id: user.id, email, role, actor, approver: { userId: user.id, label: email, role } }];
    }),
  ) as Org["people"];
  return { id: org.id, people };
}

let modelCounter = 0;
/** A model owned by `owner`, with one version at `stage` (complete lineage unless told otherwise). */
function setup(org: Org, riskTier: RiskTier, opts: { stage?: Stage; lineage?: boolean; version?: string; slug?: string } = {}) {
  const slug = opts.slug ?? `model-${++modelCounter}`;
  if (!opts.slug) createModel(org.id, { name: slug, slug, riskTier }, SYSTEM, "ui", { ownerUserId: org.people.owner.id });
  const version = opts.version ?? "1.0.0";
  const { version: row } = createVersion(
    org.id,
    slug,
    {
      version,
      stage: opts.stage === "development" || opts.stage === "validation" ? opts.stage : "staging",
      ...(opts.lineage === false ? {} : LINEAGE),
    },
    SYSTEM,
    "ui",
  );
  if (opts.stage === "production")
    transitionVersion(org.id, slug, version, { to: "production" }, SYSTEM, { mayPromote: true }, { importedHistory: true });
  return { slug, version, versionId: row.id };
}

/** Approved card and (for limited/high risk) an accepted passing audit. */
async function clearGates(org: Org, slug: string, version: string, riskTier: RiskTier) {
  const team = org.people.requester.actor;
  const ethics = org.people.ethics.actor;
  const card = saveModelCard(org.id, slug, version, writtenCardSections({ modelDetails: "Details", intendedUse: "Use" }), team);
  submitModelCard(org.id, card.id, team);
  reviewModelCard(org.id, card.id, { decision: "approve" }, ethics);
  if (riskTier === "limited" || riskTier === "high") {
    const audit = await runBiasAudit(org.id, slug, version, FAIR_CONFIG, { kind: "rows", rows: FAIR_ROWS }, team, "test");
    expect(audit.passed).toBe(true);
    signOffBiasAudit(org.id, audit.id, { decision: "accept" }, ethics);
  }
}

const stageOf = (versionId: number) =>
  getDb().select({ stage: modelVersions.stage }).from(modelVersions).where(eq(modelVersions.id, versionId)).get()!.stage;
const requestRow = (id: number) => getDb().select().from(approvalRequests).where(eq(approvalRequests.id, id)).get()!;
const decisionCount = (requestId: number) =>
  getDb().select({ n: count() }).from(approvalDecisions).where(eq(approvalDecisions.requestId, requestId)).get()!.n;
const eventCount = (orgId: number) => getDb().select({ n: count() }).from(auditEvents).where(eq(auditEvents.orgId, orgId)).get()!.n;
const eventsFor = (orgId: number, entityType: string, entityId: number) =>
  getDb()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.entityType, entityType), eq(auditEvents.entityId, String(entityId))))
    .orderBy(auditEvents.id)
    .all();

// ---------------------------------------------------------------- openApprovalRequest

describe("openApprovalRequest", () => {
  it("opens a request for a staging version, storing the gate checks and the required roles", async () => {
    const org = newOrg();
    const v = setup(org, "high");
    await clearGates(org, v.slug, v.version, "high");
    const request = openApprovalRequest(org.id, v.slug, v.version, { reason: "Ready" }, org.people.requester.actor);
    expect(request).toMatchObject({
      model: v.slug,
      version: v.version,
      status: "open",
      requestedBy: org.people.requester.email,
      reason: "Ready",
      requiredRoles: ["ethics", "leadership"],
      pendingRoles: ["ethics", "leadership"],
      decisions: [],
      decidedAt: null,
    });
    expect(request.checks).toEqual(gateChecksForVersion(v.versionId));
    expect(request.checks.every((c) => !c.required || c.passed)).toBe(true);

    const row = requestRow(request.id);
    expect(row).toMatchObject({
      orgId: org.id,
      versionId: v.versionId,
      status: "open",
      requesterType: "user",
      requesterId: org.people.requester.id,
    });
    expect(JSON.parse(row.checks)).toEqual(request.checks);
    expect(JSON.parse(row.requiredRoles)).toEqual(["ethics", "leadership"]);

    const events = eventsFor(org.id, "approval_request", request.id);
    expect(events.map((e) => e.action)).toEqual(["approval_request.opened"]);
    expect(events[0]!.actorLabel).toBe(org.people.requester.email);
    expect(getApprovalRequest(org.id, request.id)).toMatchObject({ id: request.id, status: "open" });
  });

  it("opens even when gates fail, and keeps the failing checks so approvers see what is missing", () => {
    const org = newOrg();
    const v = setup(org, "limited");
    const request = openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor);
    expect(request.requiredRoles).toEqual(["ethics"]);
    const failing = request.checks.filter((c) => c.required && !c.passed).map((c) => c.id);
    expect(failing).toEqual(["model_card", "bias_audit"]);
    expect(
      JSON.parse(requestRow(request.id).checks).filter((c: { passed: boolean; required: boolean }) => c.required && !c.passed),
    ).toHaveLength(2);
  });

  it("needs one ethics approval for minimal and limited risk, ethics and leadership for high", () => {
    const org = newOrg();
    for (const [tier, roles] of [
      ["minimal", ["ethics"]],
      ["limited", ["ethics"]],
      ["high", ["ethics", "leadership"]],
    ] as const) {
      const v = setup(org, tier);
      expect(openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor).requiredRoles).toEqual(roles);
    }
  });

  it("refuses versions that are not in staging", () => {
    const org = newOrg();
    for (const stage of ["development", "validation", "production"] as const) {
      const v = setup(org, "minimal", { stage });
      const before = eventCount(org.id);
      const error = catchDomain(() => openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor));
      expect(error.code).toBe("conflict");
      expect(error.message).toContain(`this one is in ${stage}`);
      expect(listApprovalRequests(org.id, { versionId: v.versionId })).toEqual([]);
      expect(eventCount(org.id)).toBe(before);
    }
  });

  it("allows only one open request per version; after a cancellation a new one may be opened", () => {
    const org = newOrg();
    const v = setup(org, "minimal");
    const first = openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor);
    const error = catchDomain(() => openApprovalRequest(org.id, v.slug, v.version, {}, org.people.team2.actor));
    expect(error.code).toBe("conflict");
    expect(error.message).toContain(`#${first.id} is already open`);
    cancelApprovalRequest(org.id, first.id, org.people.requester.actor, { isAdmin: false });
    expect(requestRow(first.id).status).toBe("cancelled");
    const second = openApprovalRequest(org.id, v.slug, v.version, {}, org.people.team2.actor);
    expect(second.id).not.toBe(first.id);
    expect(listApprovalRequests(org.id, { versionId: v.versionId }).map((r) => r.status)).toEqual(["open", "cancelled"]);
  });

  it("refuses unacceptable-risk models with a GateRefusal naming the risk tier, writing nothing", async () => {
    const org = newOrg();
    const v = setup(org, "unacceptable");
    await clearGates(org, v.slug, v.version, "unacceptable");
    const before = eventCount(org.id);
    const error = catchDomain(() => openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor));
    expect(error).toBeInstanceOf(GateRefusal);
    expect(error.code).toBe("conflict");
    expect(error.issues?.map((i) => i.path)).toEqual(["risk_tier"]);
    expect(listApprovalRequests(org.id, { versionId: v.versionId })).toEqual([]);
    expect(eventCount(org.id)).toBe(before);
  });

  it("404s for an unknown model or version and for another organisation's model", () => {
    const org = newOrg();
    const other = newOrg();
    const v = setup(org, "minimal");
    expect(catchDomain(() => openApprovalRequest(org.id, "nope", "1.0.0", {}, SYSTEM)).code).toBe("not_found");
    expect(catchDomain(() => openApprovalRequest(org.id, v.slug, "9.9.9", {}, SYSTEM)).code).toBe("not_found");
    expect(catchDomain(() => openApprovalRequest(other.id, v.slug, v.version, {}, SYSTEM)).code).toBe("not_found");
  });
});

// ---------------------------------------------------------------- decideApprovalRequest

describe("decideApprovalRequest: who may decide", () => {
  async function openHigh() {
    const org = newOrg();
    const v = setup(org, "high");
    await clearGates(org, v.slug, v.version, "high");
    const request = openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor);
    return { org, v, request };
  }

  it("the requester cannot decide, even with a required role (four-eyes)", () => {
    const org = newOrg();
    const v = setup(org, "minimal");
    // An ethics member opens the request, then tries to approve it.
    const request = openApprovalRequest(org.id, v.slug, v.version, {}, org.people.ethics.actor);
    for (const decision of ["approve", "reject"] as const) {
      const error = catchDomain(() => decideApprovalRequest(org.id, request.id, { decision, comment: "x" }, org.people.ethics.approver));
      expect(error.code).toBe("forbidden");
      expect(error.message).toMatch(/Four-eyes/);
    }
    expect(decisionCount(request.id)).toBe(0);
    expect(requestRow(request.id).status).toBe("open");
  });

  it("the model's owner cannot approve its promotion", () => {
    const org = newOrg();
    const v = setup(org, "minimal");
    const request = openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor);
    // The owner with an approver's role: still refused.
    const ownerAsEthics: Approver = { ...org.people.owner.approver, role: "ethics" };
    const error = catchDomain(() => decideApprovalRequest(org.id, request.id, { decision: "approve" }, ownerAsEthics));
    expect(error.code).toBe("forbidden");
    expect(error.message).toMatch(/owner/);
    expect(decisionCount(request.id)).toBe(0);
  });

  it("refuses team, auditor and admin: their role is never required", async () => {
    const { org, request } = await openHigh();
    for (const who of ["team2", "auditor", "admin"] as const) {
      const error = catchDomain(() => decideApprovalRequest(org.id, request.id, { decision: "approve" }, org.people[who].approver));
      expect(error.code).toBe("forbidden");
      expect(error.message).toContain("ethics and leadership");
    }
    expect(decisionCount(request.id)).toBe(0);
  });

  it("refuses leadership on minimal- and limited-risk models", async () => {
    const org = newOrg();
    for (const tier of ["minimal", "limited"] as const) {
      const v = setup(org, tier);
      const request = openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor);
      const error = catchDomain(() => decideApprovalRequest(org.id, request.id, { decision: "approve" }, org.people.leadership.approver));
      expect(error.code).toBe("forbidden");
      expect(error.message).toContain("ethics");
      expect(decisionCount(request.id)).toBe(0);
    }
  });

  it("each person decides once, and a role approves only once", async () => {
    const { org, v, request } = await openHigh();
    const afterEthics = decideApprovalRequest(
      org.id,
      request.id,
      { decision: "approve", comment: "Looks fine" },
      org.people.ethics.approver,
    );
    expect(afterEthics.status).toBe("open");
    expect(afterEthics.pendingRoles).toEqual(["leadership"]);
    expect(afterEthics.decisions).toEqual([
      expect.objectContaining({ by: org.people.ethics.email, role: "ethics", decision: "approve", comment: "Looks fine" }),
    ]);

    const again = catchDomain(() =>
      decideApprovalRequest(org.id, request.id, { decision: "reject", comment: "Changed my mind" }, org.people.ethics.approver),
    );
    expect(again.code).toBe("conflict");
    expect(again.message).toMatch(/already decided/);

    const secondEthics = catchDomain(() => decideApprovalRequest(org.id, request.id, { decision: "approve" }, org.people.ethics2.approver));
    expect(secondEthics.code).toBe("conflict");
    expect(secondEthics.message).toMatch(/ethics approval has already been given/);

    expect(decisionCount(request.id)).toBe(1);
    expect(requestRow(request.id).status).toBe("open");
    expect(stageOf(v.versionId)).toBe("staging");
  });

  it("404s for another organisation's request", async () => {
    const { org, request } = await openHigh();
    const other = newOrg();
    expect(catchDomain(() => decideApprovalRequest(other.id, request.id, { decision: "approve" }, other.people.ethics.approver)).code).toBe(
      "not_found",
    );
    expect(catchDomain(() => decideApprovalRequest(org.id, 999_999, { decision: "approve" }, org.people.ethics.approver)).code).toBe(
      "not_found",
    );
    expect(getApprovalRequest(other.id, request.id)).toBeNull();
  });
});

describe("decideApprovalRequest: rejection", () => {
  it("needs a comment, then closes the request and leaves the version in staging", async () => {
    const org = newOrg();
    const v = setup(org, "high");
    await clearGates(org, v.slug, v.version, "high");
    const request = openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor);

    const noComment = catchDomain(() => decideApprovalRequest(org.id, request.id, { decision: "reject" }, org.people.ethics.approver));
    expect(noComment.code).toBe("invalid");
    expect(noComment.field).toBe("comment");
    expect(decisionCount(request.id)).toBe(0);

    const rejected = decideApprovalRequest(org.id, request.id, { decision: "reject", comment: "Not yet" }, org.people.ethics.approver);
    expect(rejected.status).toBe("rejected");
    expect(rejected.decidedAt).not.toBeNull();
    expect(requestRow(request.id)).toMatchObject({ status: "rejected" });
    expect(requestRow(request.id).decidedAt).toBeInstanceOf(Date);
    expect(stageOf(v.versionId)).toBe("staging");

    // Closed: leadership can no longer decide.
    const late = catchDomain(() => decideApprovalRequest(org.id, request.id, { decision: "approve" }, org.people.leadership.approver));
    expect(late.code).toBe("conflict");
    expect(late.message).toMatch(/already rejected/);

    expect(eventsFor(org.id, "approval_request", request.id).map((e) => e.action)).toEqual([
      "approval_request.opened",
      "approval_request.rejected_by",
      "approval_request.rejected",
    ]);
    // A rejected request does not block a new one.
    expect(openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor).status).toBe("open");
  });
});

describe("decideApprovalRequest: promotion", () => {
  it("high risk: ethics then leadership; the last approval promotes and retires the previous production version", async () => {
    const org = newOrg();
    const old = setup(org, "high", { stage: "production" });
    const v = setup(org, "high", { slug: old.slug, version: "2.0.0" });
    expect(stageOf(old.versionId)).toBe("production");
    await clearGates(org, v.slug, v.version, "high");
    const request = openApprovalRequest(org.id, v.slug, v.version, { reason: "Better AUC" }, org.people.requester.actor);

    const first = decideApprovalRequest(org.id, request.id, { decision: "approve" }, org.people.leadership.approver);
    expect(first.status).toBe("open");
    expect(first.pendingRoles).toEqual(["ethics"]);
    expect(stageOf(v.versionId)).toBe("staging");

    const last = decideApprovalRequest(org.id, request.id, { decision: "approve" }, org.people.ethics.approver);
    expect(last.status).toBe("approved");
    expect(last.pendingRoles).toEqual([]);
    expect(last.decisions.map((d) => d.role)).toEqual(["leadership", "ethics"]);
    expect(last.checks.every((c) => !c.required || c.passed)).toBe(true);

    expect(stageOf(v.versionId)).toBe("production");
    expect(stageOf(old.versionId)).toBe("retired");
    const row = requestRow(request.id);
    expect(row.status).toBe("approved");
    expect(row.decidedAt).toBeInstanceOf(Date);

    const promotion = getDb()
      .select()
      .from(stageTransitions)
      .where(and(eq(stageTransitions.versionId, v.versionId), eq(stageTransitions.toStage, "production")))
      .all();
    expect(promotion).toHaveLength(1);
    expect(promotion[0]).toMatchObject({
      fromStage: "staging",
      approvalRequestId: request.id,
      actorId: org.people.ethics.id,
      actorType: "user",
    });
    const retirement = getDb()
      .select()
      .from(stageTransitions)
      .where(and(eq(stageTransitions.versionId, old.versionId), eq(stageTransitions.toStage, "retired")))
      .get();
    expect(retirement).toMatchObject({ fromStage: "production", reason: "Replaced in production by 2.0.0" });

    expect(eventsFor(org.id, "approval_request", request.id).map((e) => e.action)).toEqual([
      "approval_request.opened",
      "approval_request.approved_by",
      "approval_request.approved_by",
      "approval_request.approved",
    ]);
    const approvedEvent = eventsFor(org.id, "approval_request", request.id).at(-1)!;
    expect(JSON.parse(approvedEvent.payload).after).toEqual({ status: "approved", promoted: `${v.slug}@2.0.0` });
    const stageEvents = (id: number) => eventsFor(org.id, "model_version", id).filter((e) => e.action === "model_version.stage_changed");
    expect(stageEvents(v.versionId).map((e) => JSON.parse(e.payload).after.stage)).toEqual(["production"]);
    expect(JSON.parse(stageEvents(v.versionId)[0]!.payload).details).toMatchObject({ approvalRequest: request.id });
    expect(stageEvents(old.versionId).map((e) => JSON.parse(e.payload).after.stage)).toEqual(["production", "retired"]);

    // Decided: no more decisions.
    expect(catchDomain(() => decideApprovalRequest(org.id, request.id, { decision: "approve" }, org.people.ethics2.approver)).code).toBe(
      "conflict",
    );
    expect(verifyAuditChain(org.id)).toEqual({ ok: true, events: eventCount(org.id) });
  });

  it("limited risk: one ethics approval promotes", async () => {
    const org = newOrg();
    const v = setup(org, "limited");
    await clearGates(org, v.slug, v.version, "limited");
    const request = openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor);
    const result = decideApprovalRequest(org.id, request.id, { decision: "approve" }, org.people.ethics.approver);
    expect(result.status).toBe("approved");
    expect(stageOf(v.versionId)).toBe("production");
  });

  it("a failing gate at the final approval is a conflict and writes nothing", async () => {
    const org = newOrg();
    const v = setup(org, "high");
    await clearGates(org, v.slug, v.version, "high");
    const request = openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor);
    expect(request.checks.every((c) => !c.required || c.passed)).toBe(true);
    decideApprovalRequest(org.id, request.id, { decision: "approve" }, org.people.ethics.approver);

    // The team edits the approved card: revision 2 is a draft, so the card gate fails again.
    saveModelCard(org.id, v.slug, v.version, { ...emptySections(), modelDetails: "Changed" }, org.people.requester.actor);

    const decisionsBefore = decisionCount(request.id);
    const eventsBefore = eventCount(org.id);
    const transitionsBefore = getDb()
      .select({ n: count() })
      .from(stageTransitions)
      .where(eq(stageTransitions.versionId, v.versionId))
      .get()!.n;
    const error = catchDomain(() => decideApprovalRequest(org.id, request.id, { decision: "approve" }, org.people.leadership.approver));
    expect(error).toBeInstanceOf(GateRefusal);
    expect(error.code).toBe("conflict");
    expect(error.issues?.map((i) => i.path)).toEqual(["model_card"]);

    expect(decisionCount(request.id)).toBe(decisionsBefore);
    expect(decisionsBefore).toBe(1);
    const row = requestRow(request.id);
    expect(row.status).toBe("open");
    expect(row.decidedAt).toBeNull();
    expect(stageOf(v.versionId)).toBe("staging");
    expect(eventCount(org.id)).toBe(eventsBefore);
    expect(getDb().select({ n: count() }).from(stageTransitions).where(eq(stageTransitions.versionId, v.versionId)).get()!.n).toBe(
      transitionsBefore,
    );
    expect(getApprovalRequest(org.id, request.id)!.pendingRoles).toEqual(["leadership"]);
    expect(getApprovalRequest(org.id, request.id)!.checks.find((c) => c.id === "model_card")!.passed).toBe(false);
    expect(verifyAuditChain(org.id).ok).toBe(true);
  });

  it("a single-approval request with failing gates is refused on approval, nothing written", () => {
    const org = newOrg();
    const v = setup(org, "minimal", { lineage: false });
    const request = openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor);
    const before = eventCount(org.id);
    const error = catchDomain(() => decideApprovalRequest(org.id, request.id, { decision: "approve" }, org.people.ethics.approver));
    expect(error).toBeInstanceOf(GateRefusal);
    expect(error.issues?.map((i) => i.path).sort()).toEqual(["lineage", "model_card"]);
    expect(decisionCount(request.id)).toBe(0);
    expect(requestRow(request.id).status).toBe("open");
    expect(stageOf(v.versionId)).toBe("staging");
    expect(eventCount(org.id)).toBe(before);
  });

  it("a version moved out of staging while the request was open is not promoted", async () => {
    const org = newOrg();
    const v = setup(org, "minimal");
    await clearGates(org, v.slug, v.version, "minimal");
    const request = openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor);
    transitionVersion(org.id, v.slug, v.version, { to: "development" }, SYSTEM, { mayPromote: false });
    const error = catchDomain(() => decideApprovalRequest(org.id, request.id, { decision: "approve" }, org.people.ethics.approver));
    expect(error.code).toBe("conflict");
    expect(stageOf(v.versionId)).toBe("development");
    expect(decisionCount(request.id)).toBe(0);
  });

  it("cancelled requests cannot be decided", () => {
    const org = newOrg();
    const v = setup(org, "minimal");
    const request = openApprovalRequest(org.id, v.slug, v.version, {}, org.people.requester.actor);
    cancelApprovalRequest(org.id, request.id, org.people.requester.actor, { isAdmin: false });
    for (const decision of ["approve", "reject"] as const) {
      const error = catchDomain(() => decideApprovalRequest(org.id, request.id, { decision, comment: "x" }, org.people.ethics.approver));
      expect(error.code).toBe("conflict");
      expect(error.message).toMatch(/cancelled/);
    }
    expect(catchDomain(() => cancelApprovalRequest(org.id, request.id, org.people.requester.actor, { isAdmin: false })).code).toBe(
      "conflict",
    );
    expect(decisionCount(request.id)).toBe(0);
    expect(eventsFor(org.id, "approval_request", request.id).map((e) => e.action)).toEqual([
      "approval_request.opened",
      "approval_request.cancelled",
    ]);
  });

  it("keeps every organisation's audit chain intact", () => {
    for (let id = 1; id <= orgCounter; id++) {
      const org = getDb()
        .select()
        .from(organizations)
        .where(eq(organizations.slug, `approvals-${id}`))
        .get();
      if (org) expect(verifyAuditChain(org.id).ok).toBe(true);
    }
  });
});

// ---------------------------------------------------------------- openApprovalRequestsAwaiting

describe("openApprovalRequestsAwaiting", () => {
  it("lists the open requests as listApprovalRequests does, with the roles each still waits for", async () => {
    const org = newOrg();
    const requester = org.people.requester.actor;
    const halfApproved = setup(org, "high");
    await clearGates(org, halfApproved.slug, halfApproved.version, "high");
    const a = openApprovalRequest(org.id, halfApproved.slug, halfApproved.version, {}, requester);
    decideApprovalRequest(org.id, a.id, { decision: "approve" }, org.people.leadership.approver);
    const untouched = setup(org, "limited");
    openApprovalRequest(org.id, untouched.slug, untouched.version, { reason: "Ready" }, requester);
    const rejected = setup(org, "minimal");
    const r = openApprovalRequest(org.id, rejected.slug, rejected.version, {}, requester);
    decideApprovalRequest(org.id, r.id, { decision: "reject", comment: "Not yet" }, org.people.ethics.approver);
    const cancelled = setup(org, "minimal");
    const c = openApprovalRequest(org.id, cancelled.slug, cancelled.version, {}, requester);
    cancelApprovalRequest(org.id, c.id, requester, { isAdmin: false });
    newOrg(); // another organisation's requests never show

    const awaiting = openApprovalRequestsAwaiting(org.id);
    expect(awaiting.map(({ requesterUserId: _r, ownerUserId: _o, decidedByUserIds: _d, ...request }) => request)).toEqual(
      listApprovalRequests(org.id, { status: "open" }).map(({ id, model, modelName, version, requestedBy, pendingRoles }) => ({
        id,
        model,
        modelName,
        version,
        requestedBy,
        pendingRoles,
      })),
    );
    expect(awaiting.map((request) => [request.model, request.pendingRoles])).toEqual([
      [untouched.slug, ["ethics"]],
      [halfApproved.slug, ["ethics"]],
    ]);
    // What `whyCannotDecide` needs: the requester, and who decided already.
    expect(awaiting[1]).toMatchObject({
      requesterUserId: org.people.requester.id,
      decidedByUserIds: [org.people.leadership.approver.userId],
    });
  });
});
