import { and, desc, eq } from "drizzle-orm";
import { getDb, type DbOrTx } from "../../../db/client";
import { biasAudits, modelCards, models, modelVersions } from "../../../db/schema";
import { evaluateGates, type AcceptedBiasAudit, type GateCheck } from "./gates";

/** Gathers the facts behind the promotion gates of one version and evaluates them. */
export function gateChecksForVersion(versionId: number, now = new Date(), tx: DbOrTx = getDb()): GateCheck[] {
  const version = tx
    .select({ lineageComplete: modelVersions.lineageComplete, riskTier: models.riskTier })
    .from(modelVersions)
    .innerJoin(models, eq(models.id, modelVersions.modelId))
    .where(eq(modelVersions.id, versionId))
    .get();
  if (!version) throw new Error(`No version ${versionId}`);
  const card = tx
    .select({ status: modelCards.status })
    .from(modelCards)
    .where(eq(modelCards.versionId, versionId))
    .orderBy(desc(modelCards.revision))
    .limit(1)
    .get();
  const newestAccepted = (passed: boolean): AcceptedBiasAudit | null => {
    const row = tx
      .select({
        id: biasAudits.id,
        signedOffAt: biasAudits.signoffAt,
        signedOffBy: biasAudits.signoffByLabel,
        rationale: biasAudits.signoffComment,
      })
      .from(biasAudits)
      .where(and(eq(biasAudits.versionId, versionId), eq(biasAudits.status, "accepted"), eq(biasAudits.passed, passed)))
      .orderBy(desc(biasAudits.signoffAt))
      .limit(1)
      .get();
    return row?.signedOffAt
      ? { id: row.id, signedOffAt: row.signedOffAt, signedOffBy: row.signedOffBy ?? "unknown", rationale: row.rationale }
      : null;
  };
  return evaluateGates({
    riskTier: version.riskTier,
    lineageComplete: version.lineageComplete,
    cardStatus: card?.status ?? null,
    acceptedPassingBiasAudit: newestAccepted(true),
    acceptedFailedBiasAudit: newestAccepted(false),
    now,
  });
}
