import { writeTransaction } from "../../../db/client";
import { conflict, DomainError } from "../../utils/errors";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import { checkTransition } from "../registry/lifecycle";
import { applyStageChange, requireModelVersion, type WriteOptions } from "../registry/registry.server";
import type { TransitionInput } from "../registry/registry-schemas";
import { policyInForce } from "./approval-policies.server";
import { membersWithRoles, modelWatchers, notify, orgSlugOf } from "../notifications/notifications.server";
import { cancelOpenRequestsOfVersion } from "./approvals.server";
import { failingChecks, GateRefusal } from "./gates";
import { gateChecksForVersion } from "./gates.server";

/**
 * Stage changes are governed: the registry moves a version
 * (`applyStageChange`), governance decides whether it may move (permissions,
 * gate checks, approvals). So governance imports the registry, never the
 * other way round.
 */

export type TransitionPermissions = {
  /** Leadership/admin in the UI, or a token with registry:promote. */
  mayPromote: boolean;
};

/**
 * The one way a version changes stage from the UI or the API. Production is
 * reached through an approved approval request (its last approval promotes),
 * or directly when the model's tier has an automatic approval policy in force
 * and every gate passes ("promoted by policy"); otherwise a direct move there
 * is refused with the gate checks listed. `importedHistory` is for loading a
 * registry's past from another system.
 */
export function transitionVersion(
  orgId: number,
  modelSlug: string,
  versionLabel: string,
  input: TransitionInput,
  actor: Actor,
  permissions: TransitionPermissions,
  options: WriteOptions & { importedHistory?: boolean } = {},
) {
  return writeTransaction({ orgId }, (tx) => {
    const { model, version } = requireModelVersion(tx, orgId, modelSlug, versionLabel);
    const check = checkTransition(version.stage, input.to);
    if (!check.ok) throw conflict(check.reason, "to");
    const now = options.now ?? new Date();
    if (input.to === "production") {
      if (!permissions.mayPromote) {
        throw new DomainError(
          "forbidden",
          "Promotion to production needs the leadership or admin role (or the registry:promote scope)",
          "to",
        );
      }
      if (!options.importedHistory) {
        const checks = gateChecksForVersion(version.id, now, tx);
        const { policy } = policyInForce(orgId, model.riskTier, tx);
        if (!policy?.automatic) {
          throw new GateRefusal("Promotion to production needs an approved approval request", checks, [
            { path: "approval", message: "No approved approval request: open one; the last approval promotes the version" },
          ]);
        }
        if (failingChecks(checks).length > 0) {
          throw new GateRefusal(`The automatic approval policy for ${model.riskTier} risk promotes only when every gate passes`, checks);
        }
        const reason = input.reason || `Promoted by approval policy #${policy.id} (every gate passed)`;
        const { replaced } = applyStageChange(tx, model, version, "production", {
          reason,
          actor,
          now,
          approvalPolicyId: policy.id,
          gateSnapshot: checks,
        });
        recordAuditEvent(tx, {
          orgId,
          actor,
          action: "model_version.promoted_by_policy",
          entityType: "model_version",
          entityId: version.id,
          after: {
            model: model.slug,
            version: version.version,
            stage: "production",
            approvalPolicy: {
              id: policy.id,
              riskTier: policy.riskTier,
              proposedBy: policy.proposedBy,
              confirmedBy: policy.confirmedBy,
              confirmedAt: policy.confirmedAt,
            },
            gates: checks,
            retiredVersion: replaced,
          },
        });
        cancelOpenRequestsOfVersion(tx, orgId, version.id, actor, now);
        const path = `/orgs/${orgSlugOf(tx, orgId)}/models/${model.slug}/versions/${encodeURIComponent(version.version)}`;
        notify(
          tx,
          {
            orgId,
            type: "promotion.automatic",
            recipients: [...modelWatchers(tx, model), ...membersWithRoles(tx, orgId, ["ethics"])],
            title: `${model.name} ${version.version} promoted to production by policy`,
            body:
              `The ${model.riskTier} risk tier's automatic approval policy #${policy.id} promoted ${model.name} ` +
              `${version.version} to production for ${actor.label}: every gate passed, no person approved.` +
              (replaced ? ` ${replaced} left production.` : ""),
            path,
            data: {
              model: model.slug,
              version: version.version,
              approvalPolicyId: policy.id,
              promotedBy: actor.label,
              retiredVersion: replaced,
            },
          },
          now,
        );
        return { model, version: { ...version, stage: input.to, stageChangedAt: now }, replaced, approvalPolicyId: policy.id };
      }
    }
    const { replaced } = applyStageChange(tx, model, version, input.to, { reason: input.reason ?? "", actor, now });
    return { model, version: { ...version, stage: input.to, stageChangedAt: now }, replaced, approvalPolicyId: null };
  });
}
