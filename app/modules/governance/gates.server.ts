import { and, desc, eq, ne } from "drizzle-orm";
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
        createdAt: biasAudits.createdAt,
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
      ? {
          id: row.id,
          createdAt: row.createdAt,
          signedOffAt: row.signedOffAt,
          signedOffBy: row.signedOffBy ?? "unknown",
          rationale: row.rationale,
        }
      : null;
  };
  // The newest failed audit nobody accepted: when run after the audit the gate relies on, it blocks the gate.
  const unaccepted = tx
    .select({ id: biasAudits.id, createdAt: biasAudits.createdAt, status: biasAudits.status })
    .from(biasAudits)
    .where(and(eq(biasAudits.versionId, versionId), eq(biasAudits.passed, false), ne(biasAudits.status, "accepted")))
    .orderBy(desc(biasAudits.createdAt), desc(biasAudits.id))
    .limit(1)
    .get();
  return evaluateGates({
    riskTier: version.riskTier,
    lineageComplete: version.lineageComplete,
    cardStatus: card?.status ?? null,
    acceptedPassingBiasAudit: newestAccepted(true),
    acceptedFailedBiasAudit: newestAccepted(false),
    unacceptedFailedBiasAudit: unaccepted
      ? { id: unaccepted.id, createdAt: unaccepted.createdAt, status: unaccepted.status === "pending" ? "pending" : "rejected" }
      : null,
    now,
  });
}
