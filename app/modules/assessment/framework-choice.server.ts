import { eq, sql } from "drizzle-orm";
import { getDb, reusableQuery, type DbOrTx } from "../../../db/client";
import { orgSettings } from "../../../db/schema";
import { invalid } from "../../utils/errors";
import type { Actor } from "../audit/audit.server";
import { changeOrgSettings } from "../audit/org-settings.server";
import { findFramework, LATEST_FRAMEWORK_VERSION } from "../framework/framework";
import type { FrameworkChoice } from "./assessment-schemas";

/**
 * Which framework version an organisation's next assessment uses: its admins' choice
 * (`org_settings.framework_version`), or the newest built-in version when they made none.
 * An assessment keeps the version it was opened with; this only affects new ones.
 */
const chosenFrameworkQuery = reusableQuery((db) =>
  db
    .select({ v: orgSettings.frameworkVersion })
    .from(orgSettings)
    .where(eq(orgSettings.orgId, sql.placeholder("orgId"))),
);

export function getFrameworkChoice(orgId: number, db: DbOrTx = getDb()) {
  const chosen = chosenFrameworkQuery(db).get({ orgId })?.v ?? null;
  return { frameworkVersion: chosen, nextAssessmentVersion: chosen ?? LATEST_FRAMEWORK_VERSION, newest: LATEST_FRAMEWORK_VERSION };
}

/** The version a new assessment opens on: the request's, else the organisation's choice, else the newest. */
export function frameworkVersionForNewAssessment(orgId: number, requested: string | undefined, db: DbOrTx = getDb()): string {
  return requested ?? getFrameworkChoice(orgId, db).nextAssessmentVersion;
}

/** Sets (or, with no version, clears) the organisation's choice; returns the version new assessments now use. */
export function updateFrameworkChoice(orgId: number, input: FrameworkChoice, actor: Actor): string {
  const chosen = input.frameworkVersion === "newest" ? null : input.frameworkVersion;
  if (chosen !== null && !findFramework(chosen))
    throw invalid(`Framework version ${input.frameworkVersion} is not installed`, "frameworkVersion");
  const after = changeOrgSettings(
    orgId,
    actor,
    "settings.framework_version_updated",
    (tx) => ({ frameworkVersion: getFrameworkChoice(orgId, tx).frameworkVersion }),
    { frameworkVersion: chosen },
  );
  return after.frameworkVersion ?? LATEST_FRAMEWORK_VERSION;
}
