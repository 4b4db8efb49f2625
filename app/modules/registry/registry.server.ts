import { and, asc, count, desc, eq, inArray, ne, sql, type SQL } from "drizzle-orm";
import { getDb, reusableQuery, writeTransaction, type DbOrTx, type Tx } from "../../../db/client";
import {
  approvalRequests,
  biasAudits,
  incidents,
  modelCards,
  models,
  modelTags,
  modelVersions,
  monitoringSnapshots,
  serviceLevelObjectives,
  stageTransitions,
  users,
} from "../../../db/schema";
import { conflict, DomainError, invalid } from "../../utils/errors";
import { formatDateTime } from "../../utils/format";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import { activeMemberByEmail, modelWatchers, notify, orgSlugOf } from "../notifications/notifications.server";
import {
  breachedObjectives,
  newlyBreached,
  compareSemver,
  checkTransition,
  isLineageComplete,
  parseSemver,
  productionIntervals,
} from "./lifecycle";
import type { Channel, IncidentStatus, Stage } from "./registry-constants";
import {
  slugify,
  type IncidentCreate,
  type IncidentUpdate,
  type ModelCreate,
  type ModelListQuery,
  type ModelUpdate,
  type ModelVersionCreate,
  type MonitoringSnapshotInput,
  type ObjectiveInput,
} from "./registry-schemas";

/** Seeds and imports pass a past `now`; everything else uses the clock. */
export type WriteOptions = { now?: Date };

const notFound = (what: string) => new DomainError("not_found", `${what} not found`);

function actorColumns(actor: Actor) {
  return { type: actor.type, id: actor.type === "system" ? null : actor.id, label: actor.label };
}

// ---------------------------------------------------------------- lookups

export function findModelBySlug(orgId: number, slug: string, db: DbOrTx = getDb()) {
  return modelBySlugQuery(db).get({ orgId, slug });
}

const modelBySlugQuery = reusableQuery((db) =>
  db
    .select()
    .from(models)
    .where(and(eq(models.orgId, sql.placeholder("orgId")), eq(models.slug, sql.placeholder("slug")))),
);

function requireModel(tx: DbOrTx, orgId: number, slug: string) {
  const model = findModelBySlug(orgId, slug, tx);
  if (!model) throw notFound("Model");
  return model;
}

function requireVersion(tx: DbOrTx, modelId: number, version: string) {
  const row = tx
    .select()
    .from(modelVersions)
    .where(and(eq(modelVersions.modelId, modelId), eq(modelVersions.version, version)))
    .get();
  if (!row) throw notFound("Model version");
  return row;
}

function tagsOf(tx: DbOrTx, modelIds: number[]): Map<number, string[]> {
  const byModel = new Map<number, string[]>();
  if (modelIds.length === 0) return byModel;
  const rows = tx
    .select({ modelId: modelTags.modelId, tag: modelTags.tag })
    .from(modelTags)
    .where(inArray(modelTags.modelId, modelIds))
    .orderBy(modelTags.tag)
    .all();
  for (const row of rows) byModel.set(row.modelId, [...(byModel.get(row.modelId) ?? []), row.tag]);
  return byModel;
}

// ---------------------------------------------------------------- models

function uniqueSlug(tx: DbOrTx, orgId: number, base: string): string {
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base.slice(0, 60).replace(/-+$/, "")}-${n}`;
    if (!findModelBySlug(orgId, candidate, tx)) return candidate;
  }
}

/** The owning person named by `email`: an active member of the organisation, or a field error on `ownerEmail`. */
function requireOwner(tx: DbOrTx, orgId: number, email: string): number {
  const owner = activeMemberByEmail(tx, orgId, email);
  if (!owner) throw invalid(`${email} is not an active member of this organisation`, "ownerEmail");
  return owner.id;
}

function modelAuditView(model: typeof models.$inferSelect, tags: string[]) {
  const { orgId: _org, createdAt: _created, updatedAt: _updated, ...rest } = model;
  return { ...rest, tags };
}

export function createModel(
  orgId: number,
  input: ModelCreate,
  actor: Actor,
  channel: Channel,
  options: WriteOptions & { ownerUserId?: number } = {},
) {
  return writeTransaction({ orgId }, (tx) => {
    if (input.slug && findModelBySlug(orgId, input.slug, tx)) {
      throw conflict(`A model with slug "${input.slug}" already exists`, "slug");
    }
    const now = options.now ?? new Date();
    const ownerUserId = input.ownerEmail
      ? requireOwner(tx, orgId, input.ownerEmail)
      : (options.ownerUserId ?? (actor.type === "user" ? actor.id : null));
    const model = tx
      .insert(models)
      .values({
        orgId,
        slug: input.slug ?? uniqueSlug(tx, orgId, slugify(input.name)),
        name: input.name,
        riskTier: input.riskTier,
        ownerTeam: input.ownerTeam ?? "",
        businessOwner: input.businessOwner ?? "",
        businessDomain: input.businessDomain ?? "",
        useCase: input.useCase ?? "",
        description: input.description ?? "",
        ownerUserId,
        createdVia: channel,
        createdAt: now,
        updatedAt: now,
      })
      .returning()
      .get();
    const tags = input.tags ?? [];
    if (tags.length)
      tx.insert(modelTags)
        .values(tags.map((tag) => ({ modelId: model.id, orgId, tag })))
        .run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "model.created",
      entityType: "model",
      entityId: model.id,
      after: modelAuditView(model, tags),
      details: { via: channel },
    });
    return model;
  });
}

export function updateModel(orgId: number, slug: string, input: ModelUpdate, actor: Actor) {
  return writeTransaction({ orgId }, (tx) => {
    const before = requireModel(tx, orgId, slug);
    const beforeTags = tagsOf(tx, [before.id]).get(before.id) ?? [];
    // The form always sends the owner (empty: no owning person), as it sends every other field.
    const ownerUserId = input.ownerEmail ? requireOwner(tx, orgId, input.ownerEmail) : null;
    const after = tx
      .update(models)
      .set({
        name: input.name,
        riskTier: input.riskTier,
        ownerTeam: input.ownerTeam ?? "",
        businessOwner: input.businessOwner ?? "",
        businessDomain: input.businessDomain ?? "",
        useCase: input.useCase ?? "",
        description: input.description ?? "",
        ownerUserId,
        updatedAt: new Date(),
      })
      .where(eq(models.id, before.id))
      .returning()
      .get();
    const tags = input.tags ?? [];
    tx.delete(modelTags).where(eq(modelTags.modelId, before.id)).run();
    if (tags.length)
      tx.insert(modelTags)
        .values(tags.map((tag) => ({ modelId: before.id, orgId, tag })))
        .run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "model.updated",
      entityType: "model",
      entityId: before.id,
      before: modelAuditView(before, beforeTags),
      after: modelAuditView(after, tags),
    });
    return after;
  });
}

// ---------------------------------------------------------------- versions

export function createVersion(
  orgId: number,
  modelSlug: string,
  input: ModelVersionCreate,
  actor: Actor,
  channel: Channel,
  options: WriteOptions = {},
) {
  return writeTransaction({ orgId }, (tx) => {
    const model = requireModel(tx, orgId, modelSlug);
    const semver = parseSemver(input.version);
    if (!semver) throw invalid("Not a semantic version", "version");
    const existing = tx
      .select({ id: modelVersions.id })
      .from(modelVersions)
      .where(and(eq(modelVersions.modelId, model.id), eq(modelVersions.version, input.version)))
      .get();
    if (existing) throw conflict(`Version ${input.version} of ${model.slug} already exists`, "version");
    let parentVersionId: number | null = null;
    if (input.parentVersion) {
      const parent = tx
        .select({ id: modelVersions.id })
        .from(modelVersions)
        .where(and(eq(modelVersions.modelId, model.id), eq(modelVersions.version, input.parentVersion)))
        .get();
      if (!parent) throw invalid(`Parent version ${input.parentVersion} does not exist`, "parentVersion");
      parentVersionId = parent.id;
    }
    const now = options.now ?? new Date();
    if (input.committedAt && input.committedAt.getTime() > now.getTime())
      throw invalid("The commit time cannot be after the registration (nor in the future)", "committedAt");
    const stage: Stage = input.stage ?? "development";
    const by = actorColumns(actor);
    const version = tx
      .insert(modelVersions)
      .values({
        orgId,
        modelId: model.id,
        version: input.version,
        major: semver.major,
        minor: semver.minor,
        patch: semver.patch,
        stage,
        algorithm: input.algorithm ?? null,
        framework: input.framework ?? null,
        hyperparameters: input.hyperparameters ? JSON.stringify(input.hyperparameters) : null,
        trainingDataRef: input.trainingData?.ref ?? null,
        trainingDataVersion: input.trainingData?.version ?? null,
        codeRef: input.codeRef ?? null,
        artifactUri: input.artifactUri ?? null,
        metrics: JSON.stringify(input.metrics ?? {}),
        parentVersionId,
        committedAt: input.committedAt ?? null,
        lineageComplete: isLineageComplete({
          codeRef: input.codeRef,
          trainingDataRef: input.trainingData?.ref,
          hyperparameters: input.hyperparameters,
          metrics: input.metrics,
        }),
        createdByType: by.type,
        createdById: by.id,
        createdByLabel: by.label,
        createdVia: channel,
        createdAt: now,
        stageChangedAt: now,
      })
      .returning()
      .get();
    tx.insert(stageTransitions)
      .values({
        orgId,
        modelId: model.id,
        versionId: version.id,
        fromStage: null,
        toStage: stage,
        actorType: by.type,
        actorId: by.id,
        actorLabel: by.label,
        reason: "registered",
        createdAt: now,
      })
      .run();
    tx.update(models).set({ updatedAt: now }).where(eq(models.id, model.id)).run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "model_version.created",
      entityType: "model_version",
      entityId: version.id,
      after: { model: model.slug, ...versionJson(version, input.parentVersion ?? null) },
      details: { via: channel },
    });
    return { model, version };
  });
}

type ModelRow = typeof models.$inferSelect;
type VersionRow = typeof modelVersions.$inferSelect;

/**
 * Who and what moved a version. A promotion records what let it through: an
 * approved request, or an automatic approval policy with the gate checks as
 * they stood (`gateSnapshot`: governance's checks, kept as given).
 */
export type StageChange = {
  reason: string;
  actor: Actor;
  now: Date;
  approvalRequestId?: number;
  approvalPolicyId?: number;
  gateSnapshot?: unknown;
};

function moveStage(tx: Tx, model: ModelRow, version: VersionRow, to: Stage, change: StageChange) {
  const by = actorColumns(change.actor);
  tx.update(modelVersions).set({ stage: to, stageChangedAt: change.now }).where(eq(modelVersions.id, version.id)).run();
  tx.insert(stageTransitions)
    .values({
      orgId: model.orgId,
      modelId: model.id,
      versionId: version.id,
      fromStage: version.stage,
      toStage: to,
      actorType: by.type,
      actorId: by.id,
      actorLabel: by.label,
      reason: change.reason,
      approvalRequestId: change.approvalRequestId ?? null,
      approvalPolicyId: change.approvalPolicyId ?? null,
      gateSnapshot: change.gateSnapshot === undefined ? null : JSON.stringify(change.gateSnapshot),
      createdAt: change.now,
    })
    .run();
  recordAuditEvent(tx, {
    orgId: model.orgId,
    actor: change.actor,
    action: "model_version.stage_changed",
    entityType: "model_version",
    entityId: version.id,
    before: { model: model.slug, version: version.version, stage: version.stage },
    after: { model: model.slug, version: version.version, stage: to },
    details:
      change.reason || change.approvalRequestId || change.approvalPolicyId
        ? { reason: change.reason || undefined, approvalRequest: change.approvalRequestId, approvalPolicy: change.approvalPolicyId }
        : undefined,
  });
}

/**
 * Applies a stage change inside the caller's transaction. Promotion to
 * production retires the model's previous production version first, so a
 * model never has two. Callers check permissions and gates before (see
 * governance's `transitionVersion` and approvals).
 */
export function applyStageChange(
  tx: Tx,
  model: ModelRow,
  version: VersionRow,
  to: Stage,
  change: StageChange,
): { replaced: string | null } {
  const check = checkTransition(version.stage, to);
  if (!check.ok) throw conflict(check.reason, "to");
  let replaced: string | null = null;
  if (to === "production") {
    const current = tx
      .select()
      .from(modelVersions)
      .where(and(eq(modelVersions.modelId, model.id), eq(modelVersions.stage, "production")))
      .get();
    if (current) {
      moveStage(tx, model, current, "retired", {
        reason: `Replaced in production by ${version.version}`,
        actor: change.actor,
        now: change.now,
        approvalRequestId: change.approvalRequestId,
      });
      replaced = current.version;
    }
  }
  moveStage(tx, model, version, to, change);
  tx.update(models).set({ updatedAt: change.now }).where(eq(models.id, model.id)).run();
  return { replaced };
}

/** Looks up a model and one of its versions by slug and label, or throws not_found. */
export function requireModelVersion(tx: DbOrTx, orgId: number, modelSlug: string, versionLabel: string) {
  const model = requireModel(tx, orgId, modelSlug);
  return { model, version: requireVersion(tx, model.id, versionLabel) };
}

// ---------------------------------------------------------------- incidents

function incidentJson(row: typeof incidents.$inferSelect, modelSlug?: string, version?: string) {
  const hours = (a: Date | null, b: Date | null) => (a && b ? (b.getTime() - a.getTime()) / 3_600_000 : null);
  return {
    id: row.id,
    model: modelSlug,
    version,
    title: row.title,
    severity: row.severity,
    status: row.status,
    startedAt: row.startedAt.toISOString(),
    detectedAt: row.detectedAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    timeToDetectHours: hours(row.startedAt, row.detectedAt),
    timeToRecoverHours: hours(row.detectedAt, row.resolvedAt),
    description: row.description,
    reviewUrl: row.reviewUrl,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type IncidentJson = ReturnType<typeof incidentJson>;

/** How far ahead of the server's clock a time someone sends may be: a person's or a pipeline's clock may run a little fast. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** Refuses a time that has not come yet: it would sit on every chart and figure as if it had happened. */
function refuseFuture(at: Date | null | undefined, now: Date, message: string, field: string): void {
  if (at && at.getTime() > now.getTime() + CLOCK_SKEW_MS) throw invalid(message, field);
}

/** An incident's times have all happened by the time it is reported or updated. */
function refuseFutureIncidentTimes(times: { startedAt?: Date; detectedAt?: Date; resolvedAt?: Date }, now: Date): void {
  refuseFuture(times.startedAt, now, "An incident cannot start in the future", "startedAt");
  refuseFuture(times.detectedAt, now, "Detection cannot be in the future", "detectedAt");
  refuseFuture(times.resolvedAt, now, "Resolution cannot be in the future", "resolvedAt");
}

/** A resolution time belongs to a resolved incident: with another status it would count as a recovery that never happened. */
function refuseResolutionTimeWithoutResolving(input: { status?: IncidentStatus; resolvedAt?: Date }): void {
  if (input.resolvedAt && input.status && input.status !== "resolved") {
    throw invalid("An incident with a resolution time must have the status resolved", "status");
  }
}

export function createIncident(
  orgId: number,
  modelSlug: string,
  versionLabel: string,
  input: IncidentCreate,
  actor: Actor,
  options: WriteOptions = {},
) {
  return writeTransaction({ orgId }, (tx) => {
    const { model, version } = requireModelVersion(tx, orgId, modelSlug, versionLabel);
    const now = options.now ?? new Date();
    refuseFutureIncidentTimes(input, now);
    refuseResolutionTimeWithoutResolving(input);
    const status = input.status ?? (input.resolvedAt ? "resolved" : "open");
    const resolvedAt = input.resolvedAt ?? (status === "resolved" ? now : null);
    const detectedAt = input.detectedAt ?? input.startedAt;
    if (resolvedAt && resolvedAt < detectedAt) throw invalid("Resolution cannot precede detection", "resolvedAt");
    const row = tx
      .insert(incidents)
      .values({
        orgId,
        modelId: model.id,
        versionId: version.id,
        title: input.title,
        severity: input.severity,
        status,
        startedAt: input.startedAt,
        detectedAt,
        resolvedAt,
        description: input.description ?? "",
        reviewUrl: input.reviewUrl ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning()
      .get();
    const json = incidentJson(row, model.slug, version.version);
    recordAuditEvent(tx, { orgId, actor, action: "incident.created", entityType: "incident", entityId: row.id, after: json });
    // The model's owner and followers hear of it (not whoever reported it: they know).
    notify(
      tx,
      {
        orgId,
        type: "incident.opened",
        recipients: modelWatchers(tx, model).filter((id) => actor.type !== "user" || id !== actor.id),
        title: `Incident on ${model.name} ${version.version}: ${row.title} (${row.severity})`,
        body:
          `${actor.label} reported a ${row.severity} incident on ${model.name} ${version.version}: ${row.title}. ` +
          `Status: ${row.status}.`,
        path: `${versionPath(tx, orgId, model.slug, version.version)}#incidents`,
        data: {
          model: model.slug,
          modelName: model.name,
          version: version.version,
          incidentId: row.id,
          severity: row.severity,
          title: row.title,
          status: row.status,
          reportedBy: actor.label,
        },
      },
      now,
    );
    return json;
  });
}

export function updateIncident(orgId: number, incidentId: number, input: IncidentUpdate, actor: Actor) {
  return writeTransaction({ orgId }, (tx) => {
    const before = tx
      .select()
      .from(incidents)
      .where(and(eq(incidents.orgId, orgId), eq(incidents.id, incidentId)))
      .get();
    if (!before) throw notFound("Incident");
    refuseFutureIncidentTimes(input, new Date());
    refuseResolutionTimeWithoutResolving(input);
    const status = input.status ?? (input.resolvedAt ? "resolved" : before.status);
    const detectedAt = input.detectedAt ?? before.detectedAt;
    const resolvedAt =
      input.resolvedAt ?? (status === "resolved" ? (before.resolvedAt ?? new Date()) : input.status ? null : before.resolvedAt);
    if (detectedAt < before.startedAt) throw invalid("Detection cannot precede the start", "detectedAt");
    if (resolvedAt && resolvedAt < detectedAt) throw invalid("Resolution cannot precede detection", "resolvedAt");
    const after = tx
      .update(incidents)
      .set({
        title: input.title ?? before.title,
        severity: input.severity ?? before.severity,
        status,
        detectedAt,
        resolvedAt,
        description: input.description ?? before.description,
        reviewUrl: input.reviewUrl ?? before.reviewUrl,
        updatedAt: new Date(),
      })
      .where(eq(incidents.id, before.id))
      .returning()
      .get();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "incident.updated",
      entityType: "incident",
      entityId: before.id,
      before: incidentJson(before),
      after: incidentJson(after),
    });
    return getIncident(orgId, before.id, tx)!;
  });
}

// ---------------------------------------------------------------- monitoring and objectives

export function recordMonitoringSnapshot(
  orgId: number,
  modelSlug: string,
  versionLabel: string,
  input: MonitoringSnapshotInput,
  actor: Actor,
  options: WriteOptions = {},
) {
  return writeTransaction({ orgId }, (tx) => {
    const { model, version } = requireModelVersion(tx, orgId, modelSlug, versionLabel);
    const objectives = tx.select().from(serviceLevelObjectives).where(eq(serviceLevelObjectives.modelId, model.id)).all();
    const breaches = breachedObjectives(objectives, input.metrics);
    const now = options.now ?? new Date();
    refuseFuture(input.observedAt, now, "A snapshot cannot be observed in the future", "observedAt");
    const previous = breaches.length ? latestSnapshotQuery(tx).get({ modelId: model.id }) : undefined;
    const row = tx
      .insert(monitoringSnapshots)
      .values({
        orgId,
        modelId: model.id,
        versionId: version.id,
        observedAt: input.observedAt ?? now,
        metrics: JSON.stringify(input.metrics),
        breaches: JSON.stringify(breaches),
        breachCount: breaches.length,
        createdAt: now,
      })
      .returning()
      .get();
    const json = {
      id: row.id,
      model: model.slug,
      version: version.version,
      observedAt: row.observedAt.toISOString(),
      metrics: input.metrics,
      breaches,
    };
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "monitoring.recorded",
      entityType: "monitoring_snapshot",
      entityId: row.id,
      after: json,
    });
    const moved = newlyBreached(
      breaches,
      row.observedAt,
      previous && { observedAt: previous.observedAt, breaches: JSON.parse(previous.breaches) as string[] },
    );
    for (const metric of moved) {
      const objective = objectives.find((o) => o.metric === metric)!;
      const value = input.metrics[metric]!;
      notify(
        tx,
        {
          orgId,
          type: "monitoring.objective_breached",
          recipients: modelWatchers(tx, model),
          title: `${model.name} ${version.version} breaches its ${metric} objective: ${value} (must be ${objective.comparison} ${objective.threshold})`,
          body:
            `The monitoring snapshot of ${formatDateTime(row.observedAt.toISOString())} puts ${metric} at ${value}; ` +
            `the objective is ${objective.comparison} ${objective.threshold}, met until now.`,
          path: `/orgs/${orgSlugOf(tx, orgId)}/models/${model.slug}#monitoring`,
          data: {
            model: model.slug,
            modelName: model.name,
            version: version.version,
            snapshotId: row.id,
            observedAt: row.observedAt.toISOString(),
            objective: { name: metric, comparison: objective.comparison, threshold: objective.threshold },
            value,
          },
        },
        now,
      );
    }
    return json;
  });
}

/** The model's latest snapshot by observation time: whether a new one moves an objective into breach. */
const latestSnapshotQuery = reusableQuery((db) =>
  db
    .select({ observedAt: monitoringSnapshots.observedAt, breaches: monitoringSnapshots.breaches })
    .from(monitoringSnapshots)
    .where(eq(monitoringSnapshots.modelId, sql.placeholder("modelId")))
    .orderBy(desc(monitoringSnapshots.observedAt), desc(monitoringSnapshots.id))
    .limit(1),
);

/** A version's page, for the links in notifications. */
function versionPath(tx: DbOrTx, orgId: number, modelSlug: string, version: string): string {
  return `/orgs/${orgSlugOf(tx, orgId)}/models/${modelSlug}/versions/${encodeURIComponent(version)}`;
}

export function setObjective(orgId: number, modelSlug: string, input: ObjectiveInput, actor: Actor) {
  return writeTransaction({ orgId }, (tx) => {
    const model = requireModel(tx, orgId, modelSlug);
    const before = tx
      .select()
      .from(serviceLevelObjectives)
      .where(and(eq(serviceLevelObjectives.modelId, model.id), eq(serviceLevelObjectives.metric, input.metric)))
      .get();
    if (before) {
      tx.update(serviceLevelObjectives)
        .set({ comparison: input.comparison, threshold: input.threshold })
        .where(eq(serviceLevelObjectives.id, before.id))
        .run();
    } else {
      tx.insert(serviceLevelObjectives)
        .values({ orgId, modelId: model.id, ...input })
        .run();
    }
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "objective.set",
      entityType: "model",
      entityId: model.id,
      before: before ? { metric: before.metric, comparison: before.comparison, threshold: before.threshold } : undefined,
      after: { model: model.slug, ...input },
    });
  });
}

export function removeObjective(orgId: number, modelSlug: string, metric: string, actor: Actor) {
  return writeTransaction({ orgId }, (tx) => {
    const model = requireModel(tx, orgId, modelSlug);
    const before = tx
      .select()
      .from(serviceLevelObjectives)
      .where(and(eq(serviceLevelObjectives.modelId, model.id), eq(serviceLevelObjectives.metric, metric)))
      .get();
    if (!before) throw notFound("Objective");
    tx.delete(serviceLevelObjectives).where(eq(serviceLevelObjectives.id, before.id)).run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "objective.removed",
      entityType: "model",
      entityId: model.id,
      before: { model: model.slug, metric: before.metric, comparison: before.comparison, threshold: before.threshold },
    });
  });
}

// ---------------------------------------------------------------- read side

export function versionJson(row: typeof modelVersions.$inferSelect, parentVersion: string | null) {
  return {
    id: row.id,
    version: row.version,
    stage: row.stage,
    algorithm: row.algorithm,
    framework: row.framework,
    hyperparameters: row.hyperparameters ? (JSON.parse(row.hyperparameters) as Record<string, unknown>) : null,
    trainingData: row.trainingDataRef ? { ref: row.trainingDataRef, version: row.trainingDataVersion } : null,
    codeRef: row.codeRef,
    artifactUri: row.artifactUri,
    metrics: JSON.parse(row.metrics) as Record<string, number>,
    parentVersion,
    lineageComplete: row.lineageComplete,
    createdBy: row.createdByLabel,
    createdVia: row.createdVia,
    createdAt: row.createdAt.toISOString(),
    stageChangedAt: row.stageChangedAt.toISOString(),
    committedAt: row.committedAt?.toISOString() ?? null,
  };
}
export type VersionJson = ReturnType<typeof versionJson>;

const RISK_ORDER = sql`case ${models.riskTier} when 'minimal' then 1 when 'limited' then 2 when 'high' then 3 else 4 end`;

function escapeLike(value: string) {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Which filters a model-list query uses and how it sorts: one set of prepared statements each. */
type ModelListShape = Pick<ModelListQuery, "sort"> & Partial<Record<"q" | "riskTier" | "team" | "stage" | "tag", true>>;

function modelListShape(query: ModelListQuery): ModelListShape {
  return {
    sort: query.sort,
    ...(query.q ? { q: true } : {}),
    ...(query.riskTier ? { riskTier: true } : {}),
    ...(query.team ? { team: true } : {}),
    ...(query.stage ? { stage: true } : {}),
    ...(query.tag ? { tag: true } : {}),
  };
}

/** The filters as placeholders (`orgId`, `pattern`, `riskTier`, `team`, `stage`, `tag`). */
function modelListConditions(shape: ModelListShape): SQL {
  const conditions: SQL[] = [eq(models.orgId, sql.placeholder("orgId"))];
  if (shape.q) {
    const pattern = sql.placeholder("pattern");
    conditions.push(
      sql`(lower(${models.name}) like ${pattern} escape '\\' or ${models.slug} like ${pattern} escape '\\' or lower(${models.description}) like ${pattern} escape '\\' or lower(${models.useCase}) like ${pattern} escape '\\')`,
    );
  }
  if (shape.riskTier) conditions.push(eq(models.riskTier, sql.placeholder("riskTier")));
  if (shape.team) conditions.push(eq(models.ownerTeam, sql.placeholder("team")));
  if (shape.stage) {
    conditions.push(sql`exists (select 1 from model_versions v where v.model_id = models.id and v.stage = ${sql.placeholder("stage")})`);
  }
  if (shape.tag) {
    conditions.push(sql`exists (select 1 from model_tags t where t.model_id = models.id and t.tag = ${sql.placeholder("tag")})`);
  }
  return and(...conditions)!;
}

const MODEL_ORDER: Record<NonNullable<ModelListQuery["sort"]>, SQL[]> = {
  name: [asc(models.name)],
  "-name": [desc(models.name)],
  updated: [asc(models.updatedAt)],
  "-updated": [desc(models.updatedAt)],
  risk: [asc(RISK_ORDER), asc(models.name)],
  "-risk": [desc(RISK_ORDER), asc(models.name)],
};

/** The statements of one shape: how many models match, one page of them, and their tags. */
function modelListQueries(shape: ModelListShape) {
  const where = modelListConditions(shape);
  const page = (db: DbOrTx) =>
    db
      .select({ id: models.id })
      .from(models)
      .where(where)
      .orderBy(...MODEL_ORDER[shape.sort ?? "name"], asc(models.id))
      .limit(sql.placeholder("limit"))
      .offset(sql.placeholder("offset"));
  return {
    total: reusableQuery((db) => db.select({ n: count() }).from(models).where(where)),
    rows: reusableQuery((db) =>
      db
        .select({
          id: models.id,
          slug: models.slug,
          name: models.name,
          description: models.description,
          useCase: models.useCase,
          businessDomain: models.businessDomain,
          riskTier: models.riskTier,
          ownerTeam: models.ownerTeam,
          businessOwner: models.businessOwner,
          createdVia: models.createdVia,
          createdAt: models.createdAt,
          updatedAt: models.updatedAt,
          productionVersion: sql<
            string | null
          >`(select v.version from model_versions v where v.model_id = models.id and v.stage = 'production' limit 1)`,
          latestVersion: sql<
            string | null
          >`(select v.version from model_versions v where v.model_id = models.id order by v.major desc, v.minor desc, v.patch desc, case when v.version like '%-%' then 0 else 1 end desc, v.id desc limit 1)`,
          versionCount: sql<number>`(select count(*) from model_versions v where v.model_id = models.id)`,
          openIncidents: sql<number>`(select count(*) from incidents i where i.model_id = models.id and i.status <> 'resolved')`,
        })
        .from(models)
        .where(where)
        .orderBy(...MODEL_ORDER[shape.sort ?? "name"], asc(models.id))
        .limit(sql.placeholder("limit"))
        .offset(sql.placeholder("offset")),
    ),
    tags: reusableQuery((db) =>
      db
        .select({ modelId: modelTags.modelId, tag: modelTags.tag })
        .from(modelTags)
        .where(inArray(modelTags.modelId, page(db)))
        .orderBy(modelTags.tag),
    ),
  };
}

/** Prepared per shape, on first use: at most 2⁵ filter combinations × 6 sorts. */
const modelListStatements = new Map<string, ReturnType<typeof modelListQueries>>();

/**
 * One page of models with their production and latest versions, in a constant number of queries
 * (the page and `GET /api/v1/models`, through the data cache: the four per-row subqueries make it
 * the costliest read that pipelines poll). Each combination of filters and sort has its statements
 * prepared once per connection.
 */
export function listModels(orgId: number, query: ModelListQuery, db: DbOrTx = getDb()) {
  const shape = modelListShape(query);
  const key = JSON.stringify(shape);
  let queries = modelListStatements.get(key);
  if (!queries) modelListStatements.set(key, (queries = modelListQueries(shape)));
  const filters = {
    orgId,
    ...(query.q ? { pattern: `%${escapeLike(query.q.toLowerCase())}%` } : {}),
    ...(query.riskTier ? { riskTier: query.riskTier } : {}),
    ...(query.team ? { team: query.team } : {}),
    ...(query.stage ? { stage: query.stage } : {}),
    ...(query.tag ? { tag: query.tag } : {}),
  };
  const total = queries.total(db).get(filters)?.n ?? 0;
  const paging = { ...filters, limit: query.pageSize, offset: (query.page - 1) * query.pageSize };
  const rows = queries.rows(db).all(paging);
  const tags = new Map<number, string[]>();
  for (const row of queries.tags(db).all(paging)) tags.set(row.modelId, [...(tags.get(row.modelId) ?? []), row.tag]);
  return {
    total,
    page: query.page,
    pageSize: query.pageSize,
    models: rows.map((row) => ({
      ...row,
      tags: tags.get(row.id) ?? [],
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    })),
  };
}
export type ModelListItem = ReturnType<typeof listModels>["models"][number];

const ownerTeamsQuery = reusableQuery((db) =>
  db
    .selectDistinct({ team: models.ownerTeam })
    .from(models)
    .where(and(eq(models.orgId, sql.placeholder("orgId")), ne(models.ownerTeam, "")))
    .orderBy(models.ownerTeam),
);
const modelTagsQuery = reusableQuery((db) =>
  db
    .selectDistinct({ tag: modelTags.tag })
    .from(modelTags)
    .where(eq(modelTags.orgId, sql.placeholder("orgId")))
    .orderBy(modelTags.tag),
);

/** The owner teams and tags to filter the model list by. */
export function listModelFacets(orgId: number, db: DbOrTx = getDb()) {
  return {
    teams: ownerTeamsQuery(db)
      .all({ orgId })
      .map((r) => r.team),
    tags: modelTagsQuery(db)
      .all({ orgId })
      .map((r) => r.tag),
  };
}

export function modelJson(model: typeof models.$inferSelect, tags: string[], versions: VersionJson[]) {
  return {
    id: model.id,
    slug: model.slug,
    name: model.name,
    description: model.description,
    useCase: model.useCase,
    businessDomain: model.businessDomain,
    riskTier: model.riskTier,
    ownerTeam: model.ownerTeam,
    businessOwner: model.businessOwner,
    tags,
    createdVia: model.createdVia,
    createdAt: model.createdAt.toISOString(),
    updatedAt: model.updatedAt.toISOString(),
    productionVersion: versions.find((v) => v.stage === "production")?.version ?? null,
    latestVersion: versions[0]?.version ?? null,
  };
}

const versionsOfModelQuery = reusableQuery((db) =>
  db
    .select()
    .from(modelVersions)
    .where(eq(modelVersions.modelId, sql.placeholder("modelId"))),
);

/** Versions newest first (by semantic version), with parent versions resolved. */
export function listVersions(modelId: number, db: DbOrTx = getDb()): VersionJson[] {
  const rows = versionsOfModelQuery(db).all({ modelId });
  const labels = new Map(rows.map((r) => [r.id, r.version]));
  return rows
    .sort((a, b) => compareSemver(parseSemver(b.version)!, parseSemver(a.version)!) || b.id - a.id)
    .map((row) => versionJson(row, row.parentVersionId ? (labels.get(row.parentVersionId) ?? null) : null));
}

const tagsOfModelQuery = reusableQuery((db) =>
  db
    .select({ tag: modelTags.tag })
    .from(modelTags)
    .where(eq(modelTags.modelId, sql.placeholder("modelId")))
    .orderBy(modelTags.tag),
);

const ownerQuery = reusableQuery((db) =>
  db
    .select({ email: users.email, name: users.name })
    .from(users)
    .where(eq(users.id, sql.placeholder("userId"))),
);

export function getModel(orgId: number, slug: string, db: DbOrTx = getDb()) {
  const model = findModelBySlug(orgId, slug, db);
  if (!model) return null;
  const versions = listVersions(model.id, db);
  const tags = tagsOfModelQuery(db)
    .all({ modelId: model.id })
    .map((r) => r.tag);
  const owner = model.ownerUserId ? (ownerQuery(db).get({ userId: model.ownerUserId }) ?? null) : null;
  return { ...modelJson(model, tags, versions), versions, ownerUserId: model.ownerUserId, owner };
}

/** Everything the model page shows, in a fixed number of queries. */
export function getModelDetail(orgId: number, slug: string, db: DbOrTx = getDb()) {
  const model = getModel(orgId, slug, db);
  if (!model) return null;
  const modelId = model.id;
  const transitions = modelTransitionsQuery(db).all({ modelId });
  const incidentRows = modelIncidentsQuery(db).all({ modelId });
  const objectives = modelObjectivesQuery(db).all({ modelId });
  const snapshots = modelSnapshotsQuery(db).all({ modelId }).reverse();
  return {
    model,
    transitions: transitions.map((t) => ({ ...t, at: t.at.toISOString() })),
    productionIntervals: productionIntervals(transitions.map((t) => ({ ...t }))).map((i) => ({
      ...i,
      from: i.from.toISOString(),
      to: i.to?.toISOString() ?? null,
    })),
    incidents: incidentRows.map((r) => incidentJson(r.incident, model.slug, r.version)),
    objectives,
    monitoring: snapshots.map((s) => ({
      version: s.version,
      observedAt: s.observedAt.toISOString(),
      metrics: JSON.parse(s.metrics) as Record<string, number>,
      breaches: JSON.parse(s.breaches) as string[],
    })),
  };
}

/** The most recent snapshots charted on a model page. */
const MONITORING_POINTS = 500;

const modelTransitionsQuery = reusableQuery((db) =>
  db
    .select({
      id: stageTransitions.id,
      versionId: stageTransitions.versionId,
      version: modelVersions.version,
      fromStage: stageTransitions.fromStage,
      toStage: stageTransitions.toStage,
      actor: stageTransitions.actorLabel,
      reason: stageTransitions.reason,
      at: stageTransitions.createdAt,
    })
    .from(stageTransitions)
    .innerJoin(modelVersions, eq(modelVersions.id, stageTransitions.versionId))
    .where(eq(stageTransitions.modelId, sql.placeholder("modelId")))
    .orderBy(asc(stageTransitions.createdAt), asc(stageTransitions.id)),
);
const modelIncidentsQuery = reusableQuery((db) =>
  db
    .select({ incident: incidents, version: modelVersions.version })
    .from(incidents)
    .innerJoin(modelVersions, eq(modelVersions.id, incidents.versionId))
    .where(eq(incidents.modelId, sql.placeholder("modelId")))
    .orderBy(desc(incidents.startedAt)),
);
const modelObjectivesQuery = reusableQuery((db) =>
  db
    .select({
      metric: serviceLevelObjectives.metric,
      comparison: serviceLevelObjectives.comparison,
      threshold: serviceLevelObjectives.threshold,
    })
    .from(serviceLevelObjectives)
    .where(eq(serviceLevelObjectives.modelId, sql.placeholder("modelId")))
    .orderBy(serviceLevelObjectives.metric),
);
/** Newest first. */
const modelSnapshotsQuery = reusableQuery((db) =>
  db
    .select({
      versionId: monitoringSnapshots.versionId,
      version: modelVersions.version,
      observedAt: monitoringSnapshots.observedAt,
      metrics: monitoringSnapshots.metrics,
      breaches: monitoringSnapshots.breaches,
    })
    .from(monitoringSnapshots)
    .innerJoin(modelVersions, eq(modelVersions.id, monitoringSnapshots.versionId))
    .where(eq(monitoringSnapshots.modelId, sql.placeholder("modelId")))
    .orderBy(desc(monitoringSnapshots.observedAt))
    .limit(MONITORING_POINTS),
);

export function getIncident(orgId: number, incidentId: number, db: DbOrTx = getDb()): IncidentJson | null {
  const row = db
    .select({ incident: incidents, model: models.slug, version: modelVersions.version })
    .from(incidents)
    .innerJoin(models, eq(models.id, incidents.modelId))
    .innerJoin(modelVersions, eq(modelVersions.id, incidents.versionId))
    .where(and(eq(incidents.orgId, orgId), eq(incidents.id, incidentId)))
    .get();
  return row ? incidentJson(row.incident, row.model, row.version) : null;
}

/** One version with its model, stage history and incidents. */
export function getVersionDetail(orgId: number, modelSlug: string, versionLabel: string, db: DbOrTx = getDb()) {
  const model = getModel(orgId, modelSlug, db);
  const version = model?.versions.find((v) => v.version === versionLabel);
  if (!model || !version) return null;
  const transitions = db
    .select({
      id: stageTransitions.id,
      fromStage: stageTransitions.fromStage,
      toStage: stageTransitions.toStage,
      actor: stageTransitions.actorLabel,
      reason: stageTransitions.reason,
      at: stageTransitions.createdAt,
      approvalRequestId: stageTransitions.approvalRequestId,
      approvalPolicyId: stageTransitions.approvalPolicyId,
      gateSnapshot: stageTransitions.gateSnapshot,
    })
    .from(stageTransitions)
    .where(eq(stageTransitions.versionId, version.id))
    .orderBy(desc(stageTransitions.createdAt), desc(stageTransitions.id))
    .all()
    // The gate snapshot is governance's checks as JSON; the registry hands it on unread.
    .map((t) => ({ ...t, at: t.at.toISOString(), gateSnapshot: t.gateSnapshot ? (JSON.parse(t.gateSnapshot) as unknown) : null }));
  const incidentRows = db
    .select()
    .from(incidents)
    .where(eq(incidents.versionId, version.id))
    .orderBy(desc(incidents.startedAt))
    .all()
    .map((row) => incidentJson(row, model.slug, version.version));
  return { model, version, transitions, incidents: incidentRows };
}

/** The entities whose audit events make up a model's (or one version's) history. */
export function historyRefs(scope: { modelId: number } | { versionId: number }, db: DbOrTx = getDb()) {
  const byModel = "modelId" in scope;
  const id = byModel ? scope.modelId : scope.versionId;
  const ids = (type: keyof typeof HISTORY_REF_QUERIES) =>
    HISTORY_REF_QUERIES[type][byModel ? "byModel" : "byVersion"](db)
      .all({ id })
      .map((r) => r.id);
  return {
    model: byModel ? [scope.modelId] : [],
    model_version: byModel
      ? versionIdsOfModelQuery(db)
          .all({ id })
          .map((r) => r.id)
      : [scope.versionId],
    incident: ids("incident"),
    model_card: ids("model_card"),
    bias_audit: ids("bias_audit"),
    approval_request: ids("approval_request"),
  };
}

const versionIdsOfModelQuery = reusableQuery((db) =>
  db
    .select({ id: modelVersions.id })
    .from(modelVersions)
    .where(eq(modelVersions.modelId, sql.placeholder("id"))),
);

function refQueries(table: typeof incidents | typeof modelCards | typeof biasAudits | typeof approvalRequests) {
  return {
    byModel: reusableQuery((db) =>
      db
        .select({ id: table.id })
        .from(table)
        .where(eq(table.modelId, sql.placeholder("id"))),
    ),
    byVersion: reusableQuery((db) =>
      db
        .select({ id: table.id })
        .from(table)
        .where(eq(table.versionId, sql.placeholder("id"))),
    ),
  };
}

const HISTORY_REF_QUERIES = {
  incident: refQueries(incidents),
  model_card: refQueries(modelCards),
  bias_audit: refQueries(biasAudits),
  approval_request: refQueries(approvalRequests),
};
