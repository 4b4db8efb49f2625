import { and, desc, eq } from "drizzle-orm";
import { getDb, writeTransaction, type DbOrTx } from "../../../db/client";
import { biasAudits, models, modelVersions, orgSettings } from "../../../db/schema";
import { conflict, DomainError, invalid } from "../../utils/errors";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import { changeOrgSettings } from "../audit/org-settings.server";
import type { Role } from "../auth/roles";
import { membersWithRoles, modelWatchers, notify, orgSlugOf } from "../notifications/notifications.server";
import { requireModelVersion, type WriteOptions } from "../registry/registry.server";
import { CsvError, parseCsvStream } from "../../utils/csv-parser";
import {
  accumulateJsonRows,
  FairnessConfigError,
  evaluateDisparities,
  FairnessAccumulator,
  type FairnessComputation,
  type FairnessConfig,
  type DisparityEvaluation,
  type JsonPredictionRow,
} from "./fairness";
import { riskAcceptanceOf, signoffCommentProblem, type SignoffDecision } from "./bias-audit-signoff";
import type { FairnessPresetId } from "./governance-constants";
import { RISK_ACCEPTANCE_CONFIRMATION, type BiasAuditConfig } from "./governance-schemas";

export type PredictionSource =
  { kind: "csv"; stream: AsyncIterable<Uint8Array | string>; fileName?: string } | { kind: "rows"; rows: readonly JsonPredictionRow[] };

/** Who may run a bias audit in the portal: the registry's writers and the ethics committee. */
export const BIAS_AUDIT_RUNNERS: readonly Role[] = ["admin", "leadership", "team", "ethics"];
/** Who signs audits off (never the person who ran the audit). */
export const BIAS_AUDIT_SIGNERS: readonly Role[] = ["ethics"];

// ---------------------------------------------------------------- settings

export function getFairnessSettings(orgId: number, db: DbOrTx = getDb()) {
  const row = db.select().from(orgSettings).where(eq(orgSettings.orgId, orgId)).get();
  return {
    fairnessRatioMin: row?.fairnessRatioMin ?? 0.8,
    fairnessDifferenceMax: row?.fairnessDifferenceMax ?? 0.1,
    fairnessPreset: row?.fairnessPreset ?? ("org-default" as FairnessPresetId),
  };
}

export function updateFairnessSettings(orgId: number, input: ReturnType<typeof getFairnessSettings>, actor: Actor) {
  changeOrgSettings(orgId, actor, "settings.fairness_updated", (tx) => getFairnessSettings(orgId, tx), input);
}

// ---------------------------------------------------------------- computation

function toDomainError(error: unknown): never {
  if (error instanceof FairnessConfigError) throw invalid(error.message, `config.${error.field}`);
  if (error instanceof CsvError) throw invalid(`Row ${error.rowNumber}: ${error.message}`, "file");
  throw error;
}

/** Streams the predictions through the accumulator; memory stays flat whatever the file size. */
export async function computeFairness(config: FairnessConfig, source: PredictionSource): Promise<FairnessComputation> {
  let accumulator: FairnessAccumulator | undefined;
  try {
    if (source.kind === "csv") {
      await parseCsvStream(source.stream, (fields) => {
        if (accumulator) accumulator.add(fields);
        else accumulator = new FairnessAccumulator(config, fields);
      });
      if (!accumulator) throw invalid("The file is empty", "file");
    } else {
      accumulator = accumulateJsonRows(config, source.rows);
    }
  } catch (error) {
    toDomainError(error);
  }
  const computation = accumulator.result();
  if (computation.rows === 0)
    throw invalid("No usable rows: every row lacked a group, label or prediction", source.kind === "csv" ? "file" : "rows");
  try {
    accumulator.requirePositives();
  } catch (error) {
    toDomainError(error);
  }
  return computation;
}

export type BiasAuditResult = { computation: FairnessComputation; evaluation: DisparityEvaluation };

/**
 * Runs a bias audit on a version's predictions and stores the configuration,
 * counts and results (never the raw data). Ethics signs it off afterwards.
 */
export async function runBiasAudit(
  orgId: number,
  modelSlug: string,
  versionLabel: string,
  config: BiasAuditConfig,
  source: PredictionSource,
  actor: Actor,
  channel: string,
  options: WriteOptions = {},
) {
  const ref = requireModelVersion(getDb(), orgId, modelSlug, versionLabel);
  const settings = getFairnessSettings(orgId);
  const preset = config.preset ?? settings.fairnessPreset;
  const { preset: _preset, ...fairnessConfig } = config;
  const computation = await computeFairness(fairnessConfig, source);
  const thresholds = { ratioMin: settings.fairnessRatioMin, differenceMax: settings.fairnessDifferenceMax };
  const evaluation = evaluateDisparities(computation, thresholds, preset);
  const now = options.now ?? new Date();
  const row = writeTransaction({ orgId }, (tx) => {
    const row = tx
      .insert(biasAudits)
      .values({
        orgId,
        modelId: ref.model.id,
        versionId: ref.version.id,
        config: JSON.stringify(fairnessConfig),
        preset,
        thresholds: JSON.stringify(thresholds),
        rows: computation.rows,
        skipped: computation.skipped,
        groups: JSON.stringify(evaluation.groups),
        disparities: JSON.stringify(evaluation.disparities),
        warnings: JSON.stringify([...computation.warnings, ...evaluation.warnings]),
        passed: evaluation.passed,
        source: channel,
        fileName: source.kind === "csv" ? (source.fileName ?? null) : null,
        status: "pending",
        createdById: actor.type === "user" ? actor.id : null,
        createdByLabel: actor.label,
        createdAt: now,
      })
      .returning()
      .get();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "bias_audit.created",
      entityType: "bias_audit",
      entityId: row.id,
      after: { model: ref.model.slug, version: ref.version.version, preset, rows: row.rows, passed: row.passed, config: fairnessConfig },
    });
    // Waiting for sign-off by the ethics committee, never by the person who ran it (four eyes).
    notify(
      tx,
      {
        orgId,
        type: "bias_audit.awaiting_signoff",
        recipients: membersWithRoles(tx, orgId, ["ethics"], actor.type === "user" ? actor.id : null),
        title: `Bias audit to sign off: ${ref.model.name} ${ref.version.version} (${row.passed ? "passed" : "failed"})`,
        body: `${actor.label} ran a bias audit of ${ref.model.name} ${ref.version.version} on ${row.rows.toLocaleString("en")} predictions; it ${row.passed ? "passed" : "failed"} the organisation's fairness thresholds.`,
        path: `/orgs/${orgSlugOf(tx, orgId)}/bias-audits/${row.id}`,
        data: { biasAuditId: row.id, model: ref.model.slug, version: ref.version.version, passed: row.passed, ranBy: actor.label },
      },
      now,
    );
    return row;
  });
  return biasAuditJson(row, { slug: ref.model.slug, name: ref.model.name }, ref.version.version, computation.overall);
}

type BiasAuditRow = typeof biasAudits.$inferSelect;

export function biasAuditJson(
  row: BiasAuditRow,
  model: { slug: string; name: string },
  version: string,
  overall?: FairnessComputation["overall"],
) {
  const signoff = row.signoffAt
    ? {
        by: row.signoffByLabel,
        decision: row.status === "accepted" ? ("accept" as const) : ("reject" as const),
        comment: row.signoffComment,
        at: row.signoffAt.toISOString(),
      }
    : null;
  return {
    id: row.id,
    model: model.slug,
    modelName: model.name,
    version,
    status: row.status,
    passed: row.passed,
    preset: row.preset,
    thresholds: JSON.parse(row.thresholds) as { ratioMin: number; differenceMax: number },
    config: JSON.parse(row.config) as FairnessConfig,
    rows: row.rows,
    skipped: row.skipped,
    ...(overall ? { overall } : {}),
    groups: JSON.parse(row.groups) as DisparityEvaluation["groups"],
    disparities: JSON.parse(row.disparities) as DisparityEvaluation["disparities"],
    warnings: JSON.parse(row.warnings) as string[],
    source: row.source,
    fileName: row.fileName,
    createdBy: row.createdByLabel,
    createdAt: row.createdAt.toISOString(),
    signoff,
    /** An accepted failed audit: who took the risk, when, and why (null otherwise). */
    riskAcceptance: riskAcceptanceOf({ id: row.id, passed: row.passed, status: row.status, signoff }),
  };
}
export type BiasAuditJson = ReturnType<typeof biasAuditJson>;

/**
 * Ethics signs an audit off. Four-eyes: whoever ran the audit may not sign it
 * off. A rejection needs a reason; accepting a failed audit is a risk
 * acceptance and needs a written rationale.
 */
export function signOffBiasAudit(
  orgId: number,
  biasAuditId: number,
  input: { decision: SignoffDecision; comment?: string; confirm?: "on" },
  actor: Actor,
  options: WriteOptions & { confirmRiskAcceptance?: boolean } = {},
) {
  return writeTransaction({ orgId }, (tx) => {
    const audit = tx
      .select()
      .from(biasAudits)
      .where(and(eq(biasAudits.orgId, orgId), eq(biasAudits.id, biasAuditId)))
      .get();
    if (!audit) throw new DomainError("not_found", "Bias audit not found");
    if (audit.status !== "pending") throw conflict(`This audit was already ${audit.status}`);
    if (actor.type === "user" && audit.createdById === actor.id) {
      throw new DomainError("forbidden", "Four-eyes rule: you ran this audit, so another member of the ethics committee must sign it off");
    }
    const problem = signoffCommentProblem(input.decision, input.comment, audit.passed);
    if (problem) throw invalid(problem, "comment");
    // The portal asks for a tick before a failed audit's risk is accepted, which cannot be undone (the API's caller decided already).
    if (options.confirmRiskAcceptance && input.decision === "accept" && !audit.passed && input.confirm !== "on") {
      throw invalid(RISK_ACCEPTANCE_CONFIRMATION, "confirm");
    }
    const status = input.decision === "accept" ? "accepted" : "rejected";
    const riskAccepted = status === "accepted" && !audit.passed;
    const now = options.now ?? new Date();
    tx.update(biasAudits)
      .set({ status, signoffByLabel: actor.label, signoffComment: input.comment ?? null, signoffAt: now })
      .where(eq(biasAudits.id, audit.id))
      .run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: `bias_audit.${status}`,
      entityType: "bias_audit",
      entityId: audit.id,
      before: { status: audit.status },
      after: { status, comment: input.comment, ...(riskAccepted ? { riskAccepted: true } : {}) },
    });
    if (riskAccepted) {
      const model = tx.select().from(models).where(eq(models.id, audit.modelId)).get()!;
      const version = tx.select({ version: modelVersions.version }).from(modelVersions).where(eq(modelVersions.id, audit.versionId)).get()!;
      notify(
        tx,
        {
          orgId,
          type: "bias_audit.risk_accepted",
          recipients: [...modelWatchers(tx, model), ...membersWithRoles(tx, orgId, ["leadership"])].filter(
            (id) => !(actor.type === "user" && actor.id === id),
          ),
          title: `Failed bias audit accepted as a risk: ${model.name} ${version.version}`,
          body: `${actor.label} accepted the failed bias audit of ${model.name} ${version.version} as a known risk: ${input.comment ?? ""}`,
          path: `/orgs/${orgSlugOf(tx, orgId)}/bias-audits/${audit.id}`,
          data: {
            biasAuditId: audit.id,
            model: model.slug,
            version: version.version,
            acceptedBy: actor.label,
            rationale: input.comment ?? "",
          },
        },
        now,
      );
    }
  });
}

const biasAuditWithRefs = (db: DbOrTx) =>
  db
    .select({ audit: biasAudits, model: { slug: models.slug, name: models.name }, version: modelVersions.version })
    .from(biasAudits)
    .innerJoin(models, eq(models.id, biasAudits.modelId))
    .innerJoin(modelVersions, eq(modelVersions.id, biasAudits.versionId));

export function getBiasAudit(orgId: number, biasAuditId: number, db: DbOrTx = getDb()): BiasAuditJson | null {
  const row = biasAuditWithRefs(db)
    .where(and(eq(biasAudits.orgId, orgId), eq(biasAudits.id, biasAuditId)))
    .get();
  return row ? biasAuditJson(row.audit, row.model, row.version) : null;
}

/** The member who ran an audit (null when a token did): four-eyes, they may not sign it off. */
export function biasAuditRunnerId(orgId: number, biasAuditId: number, db: DbOrTx = getDb()): number | null {
  return (
    db
      .select({ id: biasAudits.createdById })
      .from(biasAudits)
      .where(and(eq(biasAudits.orgId, orgId), eq(biasAudits.id, biasAuditId)))
      .get()?.id ?? null
  );
}

export function listVersionBiasAudits(orgId: number, versionId: number, db: DbOrTx = getDb()) {
  return biasAuditWithRefs(db)
    .where(and(eq(biasAudits.orgId, orgId), eq(biasAudits.versionId, versionId)))
    .orderBy(desc(biasAudits.createdAt))
    .all()
    .map((row) => biasAuditJson(row.audit, row.model, row.version));
}
