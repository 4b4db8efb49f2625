import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { getDb, reusableQuery, writeTransaction, type DbOrTx, type Tx } from "../../../db/client";
import { approvalPolicies, approvalRequests, models } from "../../../db/schema";
import { conflict, DomainError, invalid } from "../../utils/errors";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import type { Role } from "../auth/roles";
import { RISK_TIERS, type RiskTier } from "../registry/registry-constants";
import type { WriteOptions } from "../registry/registry.server";
import {
  defaultPolicy,
  describeRule,
  needsConfirmation,
  normaliseRoles,
  POLICY_CONFIRMERS,
  POLICY_SETTERS,
  policyProblems,
  sameRule,
  type PolicyRule,
} from "./approval-policies";
import type { ApprovalPolicyInput } from "./governance-schemas";

/**
 * Approval policies as organisation settings. Rows are never edited in place
 * beyond their status: a change adds a row, and the row it replaces becomes
 * `replaced` (with `endedAt`), so the history stays readable.
 *
 * Four eyes: an admin sets policies. A change that only adds approvals applies
 * on save; one that removes a person's check (automatic, a role dropped or
 * swapped) is a proposal, in force only once an ethics member who did not
 * propose it confirms it. While a proposal waits, its tier takes no other
 * change (withdraw it first), so what the ethics member confirms is what
 * they read.
 */

/** The person acting, with their role in this organisation. */
export type PolicyMember = { userId: number; label: string; role: Role };

type PolicyRow = typeof approvalPolicies.$inferSelect;

const notFound = () => new DomainError("not_found", "Approval policy not found");

function ruleOf(row: PolicyRow): PolicyRule {
  return { automatic: row.automatic, requiredRoles: JSON.parse(row.requiredRoles) as Role[] };
}

function policyJson(row: PolicyRow) {
  const rule = ruleOf(row);
  return {
    id: row.id,
    riskTier: row.riskTier,
    automatic: rule.automatic,
    requiredRoles: rule.requiredRoles,
    description: describeRule(rule),
    status: row.status,
    proposedBy: row.proposedByLabel,
    proposedAt: row.proposedAt.toISOString(),
    confirmedBy: row.confirmedByLabel,
    confirmedAt: row.confirmedAt?.toISOString() ?? null,
    endedAt: row.endedAt?.toISOString() ?? null,
  };
}
export type ApprovalPolicyJson = ReturnType<typeof policyJson>;

/** What applies to a tier now: its active row, or (`policy` null) the built-in default. */
export type PolicyInForce = { riskTier: RiskTier; rule: PolicyRule; description: string; policy: ApprovalPolicyJson | null };

/** The tier's row in `status` ("active" or "proposed": at most one of each per tier). */
function rowOfTier(db: DbOrTx, orgId: number, riskTier: RiskTier, status: "active" | "proposed") {
  return db
    .select()
    .from(approvalPolicies)
    .where(and(eq(approvalPolicies.orgId, orgId), eq(approvalPolicies.riskTier, riskTier), eq(approvalPolicies.status, status)))
    .get();
}

/** The tier's policy in force stops applying (`replaced`), before the one replacing it becomes active (one active row per tier). */
function endActive(tx: Tx, orgId: number, riskTier: RiskTier, now: Date) {
  const previous = rowOfTier(tx, orgId, riskTier, "active");
  if (previous) tx.update(approvalPolicies).set({ status: "replaced", endedAt: now }).where(eq(approvalPolicies.id, previous.id)).run();
  return previous;
}

/** The policy in force for one tier (no active row: the built-in default, today's rule). */
export function policyInForce(orgId: number, riskTier: RiskTier, db: DbOrTx = getDb()): PolicyInForce {
  const row = rowOfTier(db, orgId, riskTier, "active");
  const rule = row ? ruleOf(row) : defaultPolicy(riskTier);
  return { riskTier, rule, description: describeRule(rule), policy: row ? policyJson(row) : null };
}

/** Every tier's policy in force, its pending proposal and its history (newest first), for the admin page and the API. */
export function listApprovalPolicies(orgId: number, db: DbOrTx = getDb()) {
  const rows = db.select().from(approvalPolicies).where(eq(approvalPolicies.orgId, orgId)).orderBy(desc(approvalPolicies.id)).all();
  return RISK_TIERS.map((riskTier) => {
    const ofTier = rows.filter((r) => r.riskTier === riskTier);
    const active = ofTier.find((r) => r.status === "active");
    const rule = active ? ruleOf(active) : defaultPolicy(riskTier);
    return {
      riskTier,
      promotable: riskTier !== "unacceptable",
      inForce: {
        rule,
        description: riskTier === "unacceptable" ? "Never promoted" : describeRule(rule),
        policy: active ? policyJson(active) : null,
      },
      pending: ofTier.filter((r) => r.status === "proposed").map(policyJson)[0] ?? null,
      history: ofTier.filter((r) => r.status !== "proposed").map(policyJson),
    };
  });
}
export type ApprovalPolicyOverview = ReturnType<typeof listApprovalPolicies>;

/** Policies by id (those that promoted a version, for its page); ids of other organisations are left out. */
export function approvalPoliciesById(orgId: number, ids: number[], db: DbOrTx = getDb()): Map<number, ApprovalPolicyJson> {
  if (ids.length === 0) return new Map();
  const rows = db
    .select()
    .from(approvalPolicies)
    .where(and(eq(approvalPolicies.orgId, orgId), inArray(approvalPolicies.id, ids)))
    .all();
  return new Map(rows.map((row) => [row.id, policyJson(row)]));
}

// Read by every organisation page's review badge for ethics members: prepared once per connection.
const pendingProposalsQuery = reusableQuery((db) =>
  db
    .select()
    .from(approvalPolicies)
    .where(and(eq(approvalPolicies.orgId, sql.placeholder("orgId")), eq(approvalPolicies.status, "proposed")))
    .orderBy(desc(approvalPolicies.id)),
);

/** Proposals waiting for an ethics member who did not make them (the review inbox). */
export function pendingPolicyProposals(orgId: number, db: DbOrTx = getDb()) {
  return pendingProposalsQuery(db)
    .all({ orgId })
    .map((row) => ({ ...policyJson(row), proposedById: row.proposedById }));
}

const actorOf = (member: PolicyMember): Actor => ({ type: "user", id: member.userId, label: member.label });

/**
 * An admin sets a tier's policy. Returns the new row and whether it is in
 * force already (`applied`) or waits for an ethics member (`proposed`).
 */
export function proposeApprovalPolicy(orgId: number, input: ApprovalPolicyInput, by: PolicyMember, options: WriteOptions = {}) {
  if (!POLICY_SETTERS.includes(by.role)) throw new DomainError("forbidden", "Only an administrator can change approval policies");
  const rule: PolicyRule = { automatic: input.automatic, requiredRoles: input.requiredRoles };
  const problem = policyProblems(input.riskTier, rule)[0];
  if (problem) throw invalid(problem.message, problem.path);
  return writeTransaction({ orgId }, (tx) => {
    const pending = rowOfTier(tx, orgId, input.riskTier, "proposed");
    if (pending) {
      throw conflict(`Proposal #${pending.id} for ${input.riskTier} risk is waiting for an ethics member: withdraw it first`, "riskTier");
    }
    const current = policyInForce(orgId, input.riskTier, tx);
    if (sameRule(current.rule, rule)) throw conflict(`This is already the policy for ${input.riskTier} risk`, "riskTier");
    const now = options.now ?? new Date();
    const applies = !needsConfirmation(current.rule, rule);
    const previous = applies ? endActive(tx, orgId, input.riskTier, now) : undefined;
    const row = tx
      .insert(approvalPolicies)
      .values({
        orgId,
        riskTier: input.riskTier,
        automatic: rule.automatic,
        requiredRoles: JSON.stringify(rule.requiredRoles),
        status: applies ? "active" : "proposed",
        proposedById: by.userId,
        proposedByLabel: by.label,
        proposedAt: now,
      })
      .returning()
      .get();
    const json = policyJson(row);
    if (applies) addRolesToOpenRequests(tx, orgId, input.riskTier, rule, row.id, by, now);
    recordAuditEvent(tx, {
      orgId,
      actor: actorOf(by),
      action: applies ? "approval_policy.changed" : "approval_policy.proposed",
      entityType: "approval_policy",
      entityId: row.id,
      before: { riskTier: input.riskTier, policy: current.description, replacedPolicy: previous?.id },
      after: json,
      details: applies ? { applies: "on save: it only adds approvals" } : { waitsFor: "confirmation by an ethics member" },
    });
    return { policy: json, applied: applies };
  });
}

function requireProposal(tx: DbOrTx, orgId: number, policyId: number) {
  const row = tx
    .select()
    .from(approvalPolicies)
    .where(and(eq(approvalPolicies.orgId, orgId), eq(approvalPolicies.id, policyId)))
    .get();
  if (!row) throw notFound();
  if (row.status !== "proposed") throw conflict(`This policy is ${row.status}, no longer a proposal`, "policyId");
  return row;
}

/**
 * An ethics member who did not propose it confirms a proposal: it comes into
 * force, and the policy it replaces becomes `replaced`.
 */
export function confirmApprovalPolicy(orgId: number, policyId: number, by: PolicyMember, options: WriteOptions = {}) {
  return writeTransaction({ orgId }, (tx) => {
    const row = requireProposal(tx, orgId, policyId);
    if (!POLICY_CONFIRMERS.includes(by.role))
      throw new DomainError("forbidden", "Only an ethics committee member can confirm an approval policy");
    if (row.proposedById === by.userId) {
      throw new DomainError("forbidden", "Four-eyes rule: you proposed this policy, so another ethics member must confirm it");
    }
    const now = options.now ?? new Date();
    const previous = endActive(tx, orgId, row.riskTier, now);
    addRolesToOpenRequests(tx, orgId, row.riskTier, ruleOf(row), row.id, by, now);
    return settleProposal(tx, orgId, row, by, {
      action: "approval_policy.confirmed",
      set: { status: "active", confirmedById: by.userId, confirmedByLabel: by.label, confirmedAt: now },
      before: {
        status: "proposed",
        replacedPolicy: previous?.id,
        policy: describeRule(previous ? ruleOf(previous) : defaultPolicy(row.riskTier)),
      },
    });
  });
}

/**
 * A proposal that is not in force yet is withdrawn by an admin, or declined
 * by an ethics member. Nothing changes for the tier.
 */
export function withdrawApprovalPolicy(orgId: number, policyId: number, by: PolicyMember, options: WriteOptions = {}) {
  return writeTransaction({ orgId }, (tx) => {
    const row = requireProposal(tx, orgId, policyId);
    if (![...POLICY_SETTERS, ...POLICY_CONFIRMERS].includes(by.role)) {
      throw new DomainError("forbidden", "Only an administrator or an ethics committee member can withdraw a proposal");
    }
    const now = options.now ?? new Date();
    return settleProposal(tx, orgId, row, by, {
      action: POLICY_CONFIRMERS.includes(by.role) ? "approval_policy.declined" : "approval_policy.withdrawn",
      set: { status: "withdrawn", endedAt: now },
      before: { status: "proposed" },
    });
  });
}

/**
 * A policy coming into force never makes an open request easier: a request
 * that lacks some of its roles gains them (the stricter of the two applies);
 * one that asks for more keeps asking.
 */
function addRolesToOpenRequests(
  tx: Tx,
  orgId: number,
  riskTier: RiskTier,
  rule: PolicyRule,
  policyId: number,
  by: PolicyMember,
  now: Date,
) {
  if (rule.automatic) return;
  const open = tx
    .select({ id: approvalRequests.id, requiredRoles: approvalRequests.requiredRoles })
    .from(approvalRequests)
    .innerJoin(models, eq(models.id, approvalRequests.modelId))
    .where(and(eq(approvalRequests.orgId, orgId), eq(approvalRequests.status, "open"), eq(models.riskTier, riskTier)))
    .all();
  for (const request of open) {
    const before = JSON.parse(request.requiredRoles) as Role[];
    const after = normaliseRoles([...before, ...rule.requiredRoles]);
    if (after.length === before.length) continue;
    tx.update(approvalRequests)
      .set({ requiredRoles: JSON.stringify(after) })
      .where(eq(approvalRequests.id, request.id))
      .run();
    recordAuditEvent(tx, {
      orgId,
      actor: actorOf(by),
      action: "approval_request.roles_added",
      entityType: "approval_request",
      entityId: request.id,
      before: { requiredRoles: before },
      after: { requiredRoles: after },
      details: { approvalPolicy: policyId, at: now.toISOString() },
    });
  }
}

/** A proposal confirmed or withdrawn: its row updated and the change audited, in the caller's transaction. */
function settleProposal(
  tx: Tx,
  orgId: number,
  row: PolicyRow,
  by: PolicyMember,
  change: { action: string; set: Partial<PolicyRow>; before: unknown },
) {
  const after = tx.update(approvalPolicies).set(change.set).where(eq(approvalPolicies.id, row.id)).returning().get();
  const json = policyJson(after);
  recordAuditEvent(tx, {
    orgId,
    actor: actorOf(by),
    action: change.action,
    entityType: "approval_policy",
    entityId: row.id,
    before: change.before,
    after: json,
  });
  return json;
}
