import { writeTransaction } from "../../../db/client";
import { conflict, DomainError } from "../../utils/errors";
import type { Actor } from "../audit/audit.server";
import { checkTransition } from "../registry/lifecycle";
import { applyStageChange, requireModelVersion, type WriteOptions } from "../registry/registry.server";
import type { TransitionInput } from "../registry/registry-schemas";
import { GateRefusal } from "./gates";
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
 * reached only through an approved approval request (its last approval
 * promotes); a direct move there is refused with the gate checks listed.
 * `importedHistory` is for loading a registry's past from another system.
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
        throw new GateRefusal("Promotion to production needs an approved approval request", gateChecksForVersion(version.id, now, tx), [
          { path: "approval", message: "No approved approval request: open one; the last approval promotes the version" },
        ]);
      }
    }
    const { replaced } = applyStageChange(tx, model, version, input.to, { reason: input.reason ?? "", actor, now });
    return { model, version: { ...version, stage: input.to, stageChangedAt: now }, replaced };
  });
}
