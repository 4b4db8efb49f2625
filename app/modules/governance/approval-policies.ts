import type { Role } from "../auth/roles";
import type { RiskTier } from "../registry/registry-constants";
import { requiredApproverRoles } from "./gates";

/**
 * Approval policies: who must approve a promotion to production, per risk
 * tier, or (minimal and limited risk only) nobody once every gate passes.
 * Pure rules here; storage, four eyes and audit in approval-policies.server.ts.
 */

/** The roles that may be asked to approve a promotion (the auditor reads, the ML team builds: neither approves). */
export const APPROVER_ROLES = ["ethics", "leadership", "admin"] as const satisfies readonly Role[];
export type ApproverRole = (typeof APPROVER_ROLES)[number];

/** Who sets approval policies (proposes, withdraws proposals). */
export const POLICY_SETTERS: readonly Role[] = ["admin"];
/** Who confirms (or declines) a proposal that removes a person's check: the ethics committee, never the proposer. */
export const POLICY_CONFIRMERS: readonly Role[] = ["ethics"];

/** The tiers a policy can be set for: unacceptable risk never promotes, so it has no policy. */
export const POLICY_TIERS = ["minimal", "limited", "high"] as const satisfies readonly RiskTier[];
export type PolicyTier = (typeof POLICY_TIERS)[number];

/** The tiers whose policy may be "automatic when every gate passes". */
export const AUTOMATIC_TIERS: readonly RiskTier[] = ["minimal", "limited"];

/** High risk never goes below these approvals. */
export const HIGH_RISK_MINIMUM: readonly Role[] = ["ethics", "leadership"];

/** What a policy says: automatic (no people) or the roles that must each approve once. */
export type PolicyRule = { automatic: boolean; requiredRoles: Role[] };

export const isPolicyTier = (tier: RiskTier): tier is PolicyTier => (POLICY_TIERS as readonly RiskTier[]).includes(tier);

/** The built-in policy: today's rule (ethics; high risk ethics and leadership). */
export function defaultPolicy(tier: RiskTier): PolicyRule {
  return { automatic: false, requiredRoles: requiredApproverRoles(tier) };
}

/** Roles in a stable order (the order of APPROVER_ROLES), without repeats. */
export function normaliseRoles(roles: readonly Role[]): Role[] {
  const known = APPROVER_ROLES.filter((role) => roles.includes(role));
  const others = [...new Set(roles.filter((role) => !(APPROVER_ROLES as readonly Role[]).includes(role)))];
  return [...known, ...others];
}

export type PolicyProblem = { path: "riskTier" | "automatic" | "requiredRoles"; message: string };

/** Why a policy cannot be set for a tier (empty: it can). */
export function policyProblems(tier: RiskTier, rule: PolicyRule): PolicyProblem[] {
  if (!isPolicyTier(tier)) {
    return [{ path: "riskTier", message: "Models of unacceptable risk can never be promoted: no approval policy can be set for them" }];
  }
  if (rule.automatic) {
    return AUTOMATIC_TIERS.includes(tier)
      ? []
      : [{ path: "automatic", message: `${tier} risk cannot be automatic: it always needs ethics and leadership approval` }];
  }
  const problems: PolicyProblem[] = [];
  const notApprovers = rule.requiredRoles.filter((role) => !(APPROVER_ROLES as readonly Role[]).includes(role));
  if (notApprovers.length) {
    problems.push({
      path: "requiredRoles",
      message: `Only ethics, leadership and admin can approve promotions (not ${notApprovers.join(", ")})`,
    });
  } else if (rule.requiredRoles.length === 0) {
    problems.push({ path: "requiredRoles", message: "Choose at least one role that must approve" });
  } else if (tier === "high" && !HIGH_RISK_MINIMUM.every((role) => rule.requiredRoles.includes(role))) {
    problems.push({ path: "requiredRoles", message: "High risk always needs both ethics and leadership approval" });
  }
  return problems;
}

/** The same rule (roles in any order). */
export function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  if (a.automatic !== b.automatic) return false;
  return a.automatic || (a.requiredRoles.length === b.requiredRoles.length && a.requiredRoles.every((r) => b.requiredRoles.includes(r)));
}

/**
 * Whether a change needs a second person (an ethics member) before it applies.
 * A change that only adds approvals (every role of the rule in force still
 * required, none automatic) applies on save; anything that removes a person's
 * check (automatic, or a role dropped or swapped) is a proposal.
 */
export function needsConfirmation(current: PolicyRule, proposed: PolicyRule): boolean {
  if (proposed.automatic) return true;
  if (current.automatic) return false;
  return !current.requiredRoles.every((role) => proposed.requiredRoles.includes(role));
}

/** The roles an approval request asks for under a rule: an automatic tier's voluntary review asks the built-in reviewers. */
export function requestRoles(tier: RiskTier, rule: PolicyRule): Role[] {
  return rule.automatic ? defaultPolicy(tier).requiredRoles : rule.requiredRoles;
}

/** The policy in words, as pages and audit events say it. */
export function describeRule(rule: PolicyRule): string {
  if (rule.automatic) return "Automatic when every gate passes (no human approval)";
  const roles = rule.requiredRoles;
  return `Approval by ${roles.length === 1 ? roles[0] : `${roles.slice(0, -1).join(", ")} and ${roles.at(-1)}`}`;
}

/** What confirming a proposal allows, said before the ethics member confirms it. */
export function proposalConsequence(tier: RiskTier, rule: PolicyRule): string {
  if (rule.automatic) {
    return `Versions of ${tier}-risk models will go to production without any human approval as soon as every gate passes, when a pipeline token with registry:promote or a leadership or admin member asks for it. Approval requests stay possible but are no longer needed.`;
  }
  return `Promotions of ${tier}-risk models will need ${describeRule(rule).toLowerCase()} only. Requests already open keep the approvals they asked for (they gain roles from a stricter policy, never lose any).`;
}
