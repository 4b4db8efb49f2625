import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { getDb, reusableQuery, writeTransaction, type DbOrTx, type Tx } from "../../../db/client";
import { approvalDecisions, approvalRequests, models, modelVersions } from "../../../db/schema";
import { conflict, DomainError, invalid } from "../../utils/errors";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import type { Role } from "../auth/roles";
import { applyStageChange, getModel, requireModelVersion, type WriteOptions } from "../registry/registry.server";
import type { Decision } from "./governance-constants";
import { CANCEL_CONFIRMATION, LAST_APPROVAL_CONFIRMATION } from "./governance-schemas";
import { whyCannotDecide, type DeciderFacts } from "./approval-deciders";
import { requestRoles } from "./approval-policies";
import { policyInForce } from "./approval-policies.server";
import { failingChecks, GateRefusal, type GateCheck } from "./gates";
import { gateChecksForVersion } from "./gates.server";
import { membersWithRoles, modelWatchers, notify, orgSlugOf } from "../notifications/notifications.server";

const notFound = () => new DomainError("not_found", "Approval request not found");

/** The most requests a list of them holds. */
const LIST_LIMIT = 200;

type RequestRow = typeof approvalRequests.$inferSelect;

function requestJson(
  row: RequestRow,
  extra: { model: string; modelName: string; version: string; decisions: ReturnType<typeof decisionJson>[]; checks?: GateCheck[] },
) {
  const required = JSON.parse(row.requiredRoles) as Role[];
  return {
    id: row.id,
    model: extra.model,
    modelName: extra.modelName,
    version: extra.version,
    status: row.status,
    requestedBy: row.requesterLabel,
    reason: row.reason,
    requiredRoles: required,
    pendingRoles: pendingRoles(required, extra.decisions),
    checks: extra.checks ?? (JSON.parse(row.checks) as GateCheck[]),
    decisions: extra.decisions,
    createdAt: row.createdAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? null,
  };
}
export type ApprovalRequestJson = ReturnType<typeof requestJson>;

/** The required roles whose approval is still missing. */
function pendingRoles(required: Role[], decisions: ReadonlyArray<{ role: string; decision: string }>): Role[] {
  return required.filter((role) => !decisions.some((d) => d.role === role && d.decision === "approve"));
}

function decisionJson(row: typeof approvalDecisions.$inferSelect) {
  return { by: row.userLabel, role: row.role, decision: row.decision, comment: row.comment, at: row.createdAt.toISOString() };
}

/**
 * Opens a request to promote a staging version to production. The gate checks
 * are evaluated and returned (and kept with the request), whether or not they
 * pass yet: approvers see what is still missing. The roles asked for are those
 * of the tier's approval policy in force when the request is opened.
 */
export function openApprovalRequest(
  orgId: number,
  modelSlug: string,
  versionLabel: string,
  input: { reason?: string },
  actor: Actor,
  options: WriteOptions = {},
) {
  return writeTransaction({ orgId }, (tx) => {
    const { model, version } = requireModelVersion(tx, orgId, modelSlug, versionLabel);
    if (version.stage !== "staging")
      throw conflict(`Only a version in staging can be proposed for production; this one is in ${version.stage}`);
    const open = tx
      .select({ id: approvalRequests.id })
      .from(approvalRequests)
      .where(and(eq(approvalRequests.versionId, version.id), eq(approvalRequests.status, "open")))
      .get();
    if (open) throw conflict(`Approval request #${open.id} is already open for this version`);
    const now = options.now ?? new Date();
    const checks = gateChecksForVersion(version.id, now, tx);
    if (model.riskTier === "unacceptable") throw new GateRefusal("This model can never be promoted", checks);
    const row = tx
      .insert(approvalRequests)
      .values({
        orgId,
        modelId: model.id,
        versionId: version.id,
        status: "open",
        requesterType: actor.type,
        requesterId: actor.type === "system" ? null : actor.id,
        requesterLabel: actor.label,
        // The organisation's policy for the tier (an automatic tier's voluntary review asks the built-in reviewers).
        requiredRoles: JSON.stringify(requestRoles(model.riskTier, policyInForce(orgId, model.riskTier, tx).rule)),
        checks: JSON.stringify(checks),
        reason: input.reason ?? "",
        createdAt: now,
      })
      .returning()
      .get();
    const json = requestJson(row, { model: model.slug, modelName: model.name, version: version.version, decisions: [] });
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "approval_request.opened",
      entityType: "approval_request",
      entityId: row.id,
      after: json,
    });
    // Everyone who may decide it: the roles it needs, but not the requester or the model's owner (four eyes).
    const message = requestMessage(tx, orgId, row.id, model, version.version);
    notify(
      tx,
      {
        orgId,
        type: "approval.requested",
        recipients: membersWithRoles(tx, orgId, json.requiredRoles).filter(
          (id) => id !== model.ownerUserId && !(actor.type === "user" && actor.id === id),
        ),
        title: `Approval requested: ${message.subject} to production`,
        body:
          `${actor.label} asks to promote ${message.subject} (${model.riskTier} risk) to production` +
          `${input.reason ? `: ${input.reason.replace(/[.!?]?\s*$/, ".")}` : "."} It needs approval from: ${json.requiredRoles.join(" and ")}.`,
        path: message.path,
        data: { ...message.data, requiredRoles: json.requiredRoles, requestedBy: actor.label },
      },
      now,
    );
    return json;
  });
}

/** The request's page, the model and version it is about, for notifications. */
function requestMessage(tx: DbOrTx, orgId: number, requestId: number, model: { name: string; slug: string }, version: string) {
  return {
    path: `/orgs/${orgSlugOf(tx, orgId)}/approvals/${requestId}`,
    data: { requestId, model: model.slug, version },
    subject: `${model.name} ${version}`,
  };
}

/** Who hears how a request ended: its requester (a person) and the model's owner and followers, not whoever ended it. */
function requestFollowers(tx: DbOrTx, request: RequestRow, model: { id: number; ownerUserId: number | null }, actor: Actor): number[] {
  const requester = request.requesterType === "user" && request.requesterId !== null ? [request.requesterId] : [];
  const actorId = actor.type === "user" ? actor.id : null;
  return [...requester, ...modelWatchers(tx, model)].filter((id) => id !== actorId);
}

export type Approver = { userId: number; label: string; role: Role };

/**
 * One approver's decision. Four-eyes: the requester and the model's owner may
 * not decide. Each person decides once; a rejection closes the request. The
 * last approval promotes the version in the same transaction, after the gates
 * are checked once more.
 */
export function decideApprovalRequest(
  orgId: number,
  requestId: number,
  input: { decision: Decision; comment?: string; confirm?: "on" },
  approver: Approver,
  options: WriteOptions & { confirmLastApproval?: boolean } = {},
) {
  return writeTransaction({ orgId }, (tx) => {
    const request = tx
      .select()
      .from(approvalRequests)
      .where(and(eq(approvalRequests.orgId, orgId), eq(approvalRequests.id, requestId)))
      .get();
    if (!request) throw notFound();
    if (request.status !== "open") throw conflict(`This request is already ${request.status}`);
    const model = tx.select().from(models).where(eq(models.id, request.modelId)).get()!;
    const version = tx.select().from(modelVersions).where(eq(modelVersions.id, request.versionId)).get()!;
    if (request.requesterType === "user" && request.requesterId === approver.userId) {
      throw new DomainError("forbidden", "Four-eyes rule: you opened this request, so someone else must decide it");
    }
    if (model.ownerUserId === approver.userId) {
      throw new DomainError("forbidden", "Four-eyes rule: the model's owner cannot approve its promotion");
    }
    const required = JSON.parse(request.requiredRoles) as Role[];
    if (!required.includes(approver.role)) {
      throw new DomainError("forbidden", `This request needs decisions from: ${required.join(" and ")}`);
    }
    const earlier = tx.select().from(approvalDecisions).where(eq(approvalDecisions.requestId, request.id)).all();
    if (earlier.some((d) => d.userId === approver.userId)) throw conflict("You have already decided on this request");
    if (input.decision === "approve" && earlier.some((d) => d.role === approver.role && d.decision === "approve")) {
      throw conflict(`The ${approver.role} approval has already been given`);
    }
    if (input.decision === "reject" && !input.comment) throw invalid("Give a reason for the rejection", "comment");
    const now = options.now ?? new Date();
    const actor: Actor = { type: "user", id: approver.userId, label: approver.label };
    const decision = tx
      .insert(approvalDecisions)
      .values({
        orgId,
        requestId: request.id,
        userId: approver.userId,
        userLabel: approver.label,
        role: approver.role,
        decision: input.decision,
        comment: input.comment ?? "",
        createdAt: now,
      })
      .returning()
      .get();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: input.decision === "approve" ? "approval_request.approved_by" : "approval_request.rejected_by",
      entityType: "approval_request",
      entityId: request.id,
      after: decisionJson(decision),
    });
    const decisions = [...earlier, decision];
    let status: RequestRow["status"] = "open";
    let checks: GateCheck[] | undefined;
    if (input.decision === "reject") {
      status = "rejected";
    } else if (required.every((role) => decisions.some((d) => d.role === role && d.decision === "approve"))) {
      checks = gateChecksForVersion(version.id, now, tx);
      if (failingChecks(checks).length > 0) throw new GateRefusal("The version cannot be promoted yet", checks);
      if (version.stage !== "staging") throw conflict(`The version is in ${version.stage}, not staging`);
      // The portal asks the last approver to confirm the promotion this approval makes (decided here, in the
      // transaction: whoever approves last, even after someone else approved meanwhile, is asked).
      if (options.confirmLastApproval && input.confirm !== "on") throw invalid(LAST_APPROVAL_CONFIRMATION, "confirm");
      applyStageChange(tx, model, version, "production", {
        reason: `Approved through request #${request.id}`,
        actor,
        now,
        approvalRequestId: request.id,
      });
      status = "approved";
    }
    if (status !== "open") {
      tx.update(approvalRequests)
        .set({ status, decidedAt: now, ...(checks ? { checks: JSON.stringify(checks) } : {}) })
        .where(eq(approvalRequests.id, request.id))
        .run();
      recordAuditEvent(tx, {
        orgId,
        actor,
        action: `approval_request.${status}`,
        entityType: "approval_request",
        entityId: request.id,
        before: { status: "open" },
        after: { status, promoted: status === "approved" ? `${model.slug}@${version.version}` : undefined },
      });
      const message = requestMessage(tx, orgId, request.id, model, version.version);
      notify(
        tx,
        {
          orgId,
          type: "approval.decided",
          recipients: requestFollowers(tx, request, model, actor),
          title:
            status === "approved"
              ? `Approved: ${message.subject} is in production`
              : `Rejected: ${message.subject} will not go to production`,
          body:
            status === "approved"
              ? `${approver.label} gave the last approval; ${message.subject} was promoted to production.`
              : `${approver.label} (${approver.role}) rejected the request: ${input.comment ?? ""}`,
          path: message.path,
          data: { ...message.data, status, decidedBy: approver.label, comment: input.comment ?? "" },
        },
        now,
      );
    }
    return requestJson(
      { ...request, status, decidedAt: status === "open" ? null : now },
      {
        model: model.slug,
        modelName: model.name,
        version: version.version,
        decisions: decisions.map(decisionJson),
        checks,
      },
    );
  });
}

/** Only the requester or an organisation admin may withdraw a request. */
export function cancelApprovalRequest(
  orgId: number,
  requestId: number,
  actor: Actor,
  options: {
    isAdmin: boolean;
    /** The portal's ticked box: asked for once the member may cancel the open request. */ confirm?: "on" | null;
  },
) {
  return writeTransaction({ orgId }, (tx) => {
    const request = tx
      .select()
      .from(approvalRequests)
      .where(and(eq(approvalRequests.orgId, orgId), eq(approvalRequests.id, requestId)))
      .get();
    if (!request) throw notFound();
    const isRequester = actor.type === request.requesterType && actor.type !== "system" && actor.id === request.requesterId;
    if (!options.isAdmin && !isRequester)
      throw new DomainError("forbidden", "Only the requester or an administrator can cancel this request");
    if (request.status !== "open") throw conflict(`This request is already ${request.status}`);
    if (options.confirm === null) throw invalid(CANCEL_CONFIRMATION, "confirm");
    const now = new Date();
    markCancelled(tx, orgId, request.id, actor, now);
    const model = tx.select().from(models).where(eq(models.id, request.modelId)).get()!;
    const version = tx.select({ version: modelVersions.version }).from(modelVersions).where(eq(modelVersions.id, request.versionId)).get()!;
    const message = requestMessage(tx, orgId, request.id, model, version.version);
    notify(
      tx,
      {
        orgId,
        type: "approval.cancelled",
        recipients: requestFollowers(tx, request, model, actor),
        title: `Approval request cancelled: ${message.subject}`,
        body: `${actor.label} cancelled the request to promote ${message.subject} to production.`,
        path: message.path,
        data: { ...message.data, cancelledBy: actor.label },
      },
      now,
    );
  });
}

function markCancelled(tx: Tx, orgId: number, requestId: number, actor: Actor, now: Date, details?: { reason: string }) {
  tx.update(approvalRequests).set({ status: "cancelled", decidedAt: now }).where(eq(approvalRequests.id, requestId)).run();
  recordAuditEvent(tx, {
    orgId,
    actor,
    action: "approval_request.cancelled",
    entityType: "approval_request",
    entityId: requestId,
    before: { status: "open" },
    after: { status: "cancelled" },
    details,
  });
}

/** A version promoted by an automatic policy needs no request any more: one still open is cancelled, saying why. */
export function cancelOpenRequestsOfVersion(tx: Tx, orgId: number, versionId: number, actor: Actor, now: Date) {
  const open = tx
    .select({ id: approvalRequests.id })
    .from(approvalRequests)
    .where(and(eq(approvalRequests.versionId, versionId), eq(approvalRequests.status, "open")))
    .all();
  for (const request of open) {
    markCancelled(tx, orgId, request.id, actor, now, { reason: "The version was promoted by an automatic approval policy" });
  }
}

function withDecisions(
  db: DbOrTx,
  rows: Array<{ request: RequestRow; model: string; modelName: string; version: string }>,
  liveChecks: boolean,
) {
  const decisions = rows.length
    ? db
        .select()
        .from(approvalDecisions)
        .where(
          inArray(
            approvalDecisions.requestId,
            rows.map((r) => r.request.id),
          ),
        )
        .orderBy(asc(approvalDecisions.id))
        .all()
    : [];
  return rows.map((r) =>
    requestJson(r.request, {
      model: r.model,
      modelName: r.modelName,
      version: r.version,
      decisions: decisions.filter((d) => d.requestId === r.request.id).map(decisionJson),
      // Open requests show the gates as they stand now; decided ones as they stood at the decision.
      checks: liveChecks && r.request.status === "open" ? gateChecksForVersion(r.request.versionId, new Date(), db) : undefined,
    }),
  );
}

const requestWithRefs = (db: DbOrTx) =>
  db
    .select({ request: approvalRequests, model: models.slug, modelName: models.name, version: modelVersions.version })
    .from(approvalRequests)
    .innerJoin(models, eq(models.id, approvalRequests.modelId))
    .innerJoin(modelVersions, eq(modelVersions.id, approvalRequests.versionId));

export function getApprovalRequest(orgId: number, requestId: number, db: DbOrTx = getDb()): ApprovalRequestJson | null {
  const row = requestWithRefs(db)
    .where(and(eq(approvalRequests.orgId, orgId), eq(approvalRequests.id, requestId)))
    .get();
  return row ? withDecisions(db, [row], true)[0]! : null;
}

export function listApprovalRequests(
  orgId: number,
  filter: { status?: RequestRow["status"]; versionId?: number } = {},
  db: DbOrTx = getDb(),
) {
  const conditions = [eq(approvalRequests.orgId, orgId)];
  if (filter.status) conditions.push(eq(approvalRequests.status, filter.status));
  if (filter.versionId) conditions.push(eq(approvalRequests.versionId, filter.versionId));
  const rows = requestWithRefs(db)
    .where(and(...conditions))
    .orderBy(desc(approvalRequests.id))
    .limit(LIST_LIMIT)
    .all();
  return withDecisions(db, rows, true);
}

/** The newest open requests, as `listApprovalRequests` lists them (at most 200). */
const openRequestsQuery = reusableQuery((db) =>
  db
    .select({
      id: approvalRequests.id,
      model: models.slug,
      modelName: models.name,
      version: modelVersions.version,
      requestedBy: approvalRequests.requesterLabel,
      requiredRoles: approvalRequests.requiredRoles,
      requesterType: approvalRequests.requesterType,
      requesterId: approvalRequests.requesterId,
      ownerUserId: models.ownerUserId,
    })
    .from(approvalRequests)
    .innerJoin(models, eq(models.id, approvalRequests.modelId))
    .innerJoin(modelVersions, eq(modelVersions.id, approvalRequests.versionId))
    .where(and(eq(approvalRequests.orgId, sql.placeholder("orgId")), eq(approvalRequests.status, "open")))
    .orderBy(desc(approvalRequests.id))
    .limit(200),
);
const openRequestApprovalsQuery = reusableQuery((db) =>
  db
    .select({
      requestId: approvalDecisions.requestId,
      role: approvalDecisions.role,
      decision: approvalDecisions.decision,
      userId: approvalDecisions.userId,
    })
    .from(approvalDecisions)
    .innerJoin(approvalRequests, eq(approvalRequests.id, approvalDecisions.requestId))
    .where(and(eq(approvalRequests.orgId, sql.placeholder("orgId")), eq(approvalRequests.status, "open"))),
);

/**
 * The open requests with the roles whose approval each still waits for, for the review inbox and
 * its badge: what `listApprovalRequests(orgId, { status: "open" })` lists, without the decisions'
 * details and the live gate checks (four queries per request) they do not show.
 */
export function openApprovalRequestsAwaiting(orgId: number, db: DbOrTx = getDb()) {
  const approvals = openRequestApprovalsQuery(db).all({ orgId });
  return openRequestsQuery(db)
    .all({ orgId })
    .map(({ requiredRoles, requesterType, requesterId, ownerUserId, ...request }) => {
      const decisions = approvals.filter((a) => a.requestId === request.id);
      return {
        ...request,
        pendingRoles: pendingRoles(JSON.parse(requiredRoles) as Role[], decisions),
        // Who may not decide it (four eyes, one decision each): see `whyCannotDecide`.
        requesterUserId: requesterType === "user" ? requesterId : null,
        ownerUserId,
        decidedByUserIds: decisions.map((d) => d.userId),
      };
    });
}

/**
 * One request as a member sees it: whether they may decide it, and if not why (four eyes, decided already, another
 * role's turn), and whether their approval would be the last one needed, which promotes the version at once and
 * retires the one in production.
 */
export function approvalRequestForMember(orgId: number, requestId: number, member: { role: Role; userId: number }, db: DbOrTx = getDb()) {
  const request = getApprovalRequest(orgId, requestId, db);
  if (!request) return null;
  const facts = request.status === "open" ? deciderFacts(orgId, request.id, db) : null;
  const cannotDecide = facts ? whyCannotDecide({ ...facts, pendingRoles: request.pendingRoles }, member) : null;
  const canDecide = facts !== null && cannotDecide === null;
  const lastApproval =
    canDecide && request.pendingRoles.length === 1
      ? { productionVersion: getModel(orgId, request.model, db)?.productionVersion ?? null }
      : null;
  return { request, canDecide, cannotDecide, lastApproval };
}

/** The facts `whyCannotDecide` needs about one request, whatever its status. */
function deciderFacts(orgId: number, requestId: number, db: DbOrTx = getDb()): Omit<DeciderFacts, "pendingRoles"> | null {
  const request = db
    .select({ requesterType: approvalRequests.requesterType, requesterId: approvalRequests.requesterId, ownerUserId: models.ownerUserId })
    .from(approvalRequests)
    .innerJoin(models, eq(models.id, approvalRequests.modelId))
    .where(and(eq(approvalRequests.orgId, orgId), eq(approvalRequests.id, requestId)))
    .get();
  if (!request) return null;
  const decided = db
    .select({ userId: approvalDecisions.userId })
    .from(approvalDecisions)
    .where(eq(approvalDecisions.requestId, requestId))
    .all();
  return {
    requesterUserId: request.requesterType === "user" ? request.requesterId : null,
    ownerUserId: request.ownerUserId,
    decidedByUserIds: decided.map((d) => d.userId),
  };
}
