import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";
import { ASSESSMENT_STATUSES, STATEMENT_STATUSES } from "../app/modules/assessment/assessment-constants";
import { ITEM_STATUSES, ROADMAP_STATUSES } from "../app/modules/roadmap/roadmap-constants";
import {
  APPROVAL_POLICY_STATUSES,
  APPROVAL_STATUSES,
  BIAS_AUDIT_STATUSES,
  CARD_STATUSES,
  DECISIONS,
  FAIRNESS_PRESET_IDS,
} from "../app/modules/governance/governance-constants";
import { ROLES } from "../app/modules/auth/roles";
import { DOMAIN_CLAIM_STATUSES, INVITATION_STATUSES } from "../app/modules/auth/auth-constants";
import { CHECKPOINT_REASONS } from "../app/modules/audit/audit-constants";
import { FRAMEWORK_VERSION_STATUSES } from "../app/modules/framework/framework-constants";
import {
  DELIVERY_MODES,
  EVENT_TYPE_NAMES,
  NOTIFICATION_CATEGORIES,
  OUTBOX_CHANNELS,
  OUTBOX_STATUSES,
} from "../app/modules/notifications/notification-constants";
import {
  ACTOR_TYPES,
  CHANNELS,
  COMPARISONS,
  INCIDENT_STATUSES,
  RISK_TIERS,
  SEVERITIES,
  STAGES,
} from "../app/modules/registry/registry-constants";

/**
 * Conventions (kept portable so the PostgreSQL path stays a schema port):
 * integer surrogate keys, timestamps as epoch milliseconds, JSON as text,
 * enums as text checked by zod at the edges.
 */

const createdAt = () =>
  integer("created_at", { mode: "timestamp_ms" })
    .notNull()
    .$defaultFn(() => new Date());

export const organizations = sqliteTable("organizations", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

/** The owning organisation: every org-scoped table has one, and every query filters on it. */
const orgIdColumn = () =>
  integer("org_id")
    .notNull()
    .references(() => organizations.id);

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash").notNull(),
  isSiteAdmin: integer("is_site_admin", { mode: "boolean" }).notNull().default(false),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  /** The organisation the person last worked in: where sign-in lands. */
  lastOrgId: integer("last_org_id"),
  createdAt: createdAt(),
});

/**
 * Server-side sessions: the cookie carries only a random 256-bit id; the table
 * keeps its SHA-256, so a copy of the database cannot be replayed as cookies.
 * Idle and absolute lifetimes are enforced here, not by the browser.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    idHash: text("id_hash").notNull().unique(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }).notNull(),
    /** The absolute end (SESSION_MAX_DAYS after sign-in); the idle end is last seen + SESSION_IDLE_HOURS. */
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    clientAddress: text("client_address").notNull().default(""),
    userAgent: text("user_agent").notNull().default(""),
    /** The OpenID Connect issuer the session came through (single sign-on); null for a password sign-in. */
    ssoIssuer: text("sso_issuer"),
    /** The provider it came through: "env" (the OIDC_* variables) or an `oidc_providers` id, for signing out there. */
    ssoProvider: text("sso_provider"),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

/**
 * Joining an organisation takes the person's consent: an admin invites an
 * email; the person accepts or declines after signing in, or through the
 * link (whose secret is kept only as a SHA-256) that also sets a password
 * for a new account. Until accepted the organisation sees only the email.
 */
export const invitations = sqliteTable(
  "invitations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    email: text("email").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    status: text("status", { enum: INVITATION_STATUSES }).notNull().default("pending"),
    invitedByUserId: integer("invited_by_user_id").references(() => users.id),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    respondedAt: integer("responded_at", { mode: "timestamp_ms" }),
    /** The account that accepted (set on acceptance only). */
    acceptedUserId: integer("accepted_user_id").references(() => users.id),
  },
  (t) => [index("invitations_org_status_idx").on(t.orgId, t.status), index("invitations_email_status_idx").on(t.email, t.status)],
);

export const memberships = sqliteTable(
  "memberships",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    role: text("role", { enum: ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("memberships_org_user_unique").on(t.orgId, t.userId), index("memberships_user_idx").on(t.userId)],
);

/**
 * Append-only, hash-chained per organisation (org_id NULL is the site-wide
 * chain used for sign-in events). Triggers in a custom migration refuse
 * UPDATE and DELETE.
 */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: integer("org_id").references(() => organizations.id),
    actorType: text("actor_type", { enum: ACTOR_TYPES }).notNull(),
    actorId: integer("actor_id"),
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id"),
    payload: text("payload").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
    /** Position in its chain (1, 2, 3… per organisation, without gaps): the number people see. */
    seq: integer("seq"),
  },
  (t) => [
    index("audit_events_org_id_idx").on(t.orgId, t.id),
    uniqueIndex("audit_events_org_seq_unique").on(t.orgId, t.seq),
    index("audit_events_org_entity_idx").on(t.orgId, t.entityType, t.entityId),
    index("audit_events_org_created_idx").on(t.orgId, t.createdAt),
  ],
);

export const loginFailures = sqliteTable(
  "login_failures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    email: text("email").notNull(),
    ip: text("ip").notNull(),
    userAgent: text("user_agent").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [
    index("login_failures_email_idx").on(t.email, t.createdAt),
    index("login_failures_ip_idx").on(t.ip, t.createdAt),
    index("login_failures_email_ip_idx").on(t.email, t.ip, t.createdAt),
  ],
);

/**
 * Signed checkpoints of the audit chains (org_id NULL: the site-wide chain):
 * the last sequence number and head hash at a time, signed with the
 * installation's Ed25519 key, which is kept outside the database. A copy that
 * has left the building pins the chain up to its sequence number.
 */
export const auditCheckpoints = sqliteTable(
  "audit_checkpoints",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: integer("org_id").references(() => organizations.id),
    seq: integer("seq").notNull(),
    headHash: text("head_hash").notNull(),
    createdAt: createdAt(),
    reason: text("reason", { enum: CHECKPOINT_REASONS }).notNull(),
    /** SHA-256 fingerprint of the public key that signed it. */
    keyId: text("key_id").notNull(),
    signature: text("signature").notNull(),
  },
  (t) => [index("audit_checkpoints_org_seq_idx").on(t.orgId, t.seq)],
);

/**
 * Idempotency records: a repeated create (API `Idempotency-Key`, or a form's
 * one-time token) replays the first answer. `scope` names whose key it is
 * (`token:<id>`, `user:<id>`); `requestHash` tells a repeat from a different
 * body under the same key. Bookkeeping: no cached reader reads it.
 */
export const idempotencyRecords = sqliteTable(
  "idempotency_records",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    /** Null while the first request is still running. */
    responseStatus: integer("response_status"),
    responseHeaders: text("response_headers").notNull().default("{}"),
    responseBody: text("response_body").notNull().default(""),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("idempotency_scope_key_unique").on(t.scope, t.key), index("idempotency_expires_idx").on(t.expiresAt)],
);

/**
 * The scheduler's jobs: one row a job, claimed through a lease so exactly one
 * process runs it, whatever the number of workers.
 */
export const scheduledJobs = sqliteTable("scheduled_jobs", {
  name: text("name").primaryKey(),
  nextRunAt: integer("next_run_at", { mode: "timestamp_ms" }).notNull(),
  lastRunAt: integer("last_run_at", { mode: "timestamp_ms" }),
  lastError: text("last_error"),
  leaseOwner: text("lease_owner"),
  leaseUntil: integer("lease_until", { mode: "timestamp_ms" }),
});

// ---------------------------------------------------------------- registry

export const models = sqliteTable(
  "models",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    useCase: text("use_case").notNull().default(""),
    businessDomain: text("business_domain").notNull().default(""),
    riskTier: text("risk_tier", { enum: RISK_TIERS }).notNull(),
    ownerTeam: text("owner_team").notNull().default(""),
    businessOwner: text("business_owner").notNull().default(""),
    /** The accountable person (four-eyes: may not approve their own model's promotion). */
    ownerUserId: integer("owner_user_id").references(() => users.id),
    createdVia: text("created_via", { enum: CHANNELS }).notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [
    uniqueIndex("models_org_slug_unique").on(t.orgId, t.slug),
    index("models_org_name_idx").on(t.orgId, t.name),
    index("models_org_updated_idx").on(t.orgId, t.updatedAt),
    /** The registry metrics' count of the models that existed at a window's end. */
    index("models_org_created_idx").on(t.orgId, t.createdAt),
    /** The model list's owner-team filter choices (distinct teams, from the index alone). */
    index("models_org_team_idx").on(t.orgId, t.ownerTeam),
    /** The model list filtered by risk tier: its count, and its rows newest-updated first. */
    index("models_org_risk_updated_idx").on(t.orgId, t.riskTier, t.updatedAt),
  ],
);

export const modelTags = sqliteTable(
  "model_tags",
  {
    modelId: integer("model_id")
      .notNull()
      .references(() => models.id),
    orgId: orgIdColumn(),
    tag: text("tag").notNull(),
  },
  (t) => [uniqueIndex("model_tags_unique").on(t.modelId, t.tag), index("model_tags_org_tag_idx").on(t.orgId, t.tag)],
);

export const modelVersions = sqliteTable(
  "model_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    modelId: integer("model_id")
      .notNull()
      .references(() => models.id),
    version: text("version").notNull(),
    /** Numeric semver parts, so versions sort correctly in SQL. */
    major: integer("major").notNull(),
    minor: integer("minor").notNull(),
    patch: integer("patch").notNull(),
    stage: text("stage", { enum: STAGES }).notNull(),
    algorithm: text("algorithm"),
    framework: text("framework"),
    hyperparameters: text("hyperparameters"),
    trainingDataRef: text("training_data_ref"),
    trainingDataVersion: text("training_data_version"),
    codeRef: text("code_ref"),
    /** When the version's code was committed (from the pipeline): the start of the guide's lead time. */
    committedAt: integer("committed_at", { mode: "timestamp_ms" }),
    artifactUri: text("artifact_uri"),
    metrics: text("metrics").notNull().default("{}"),
    parentVersionId: integer("parent_version_id"),
    /** Derived at write time from the fields above (versions are immutable apart from their stage). */
    lineageComplete: integer("lineage_complete", { mode: "boolean" }).notNull(),
    createdByType: text("created_by_type", { enum: ACTOR_TYPES }).notNull(),
    createdById: integer("created_by_id"),
    createdByLabel: text("created_by_label").notNull(),
    createdVia: text("created_via", { enum: CHANNELS }).notNull(),
    createdAt: createdAt(),
    stageChangedAt: integer("stage_changed_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    uniqueIndex("model_versions_model_version_unique").on(t.modelId, t.version),
    /**
     * Covers the registry metrics' versions per stage "as at" a window's end (a version whose stage last
     * changed before then was in its current stage) and the production versions' models and lineage.
     */
    index("model_versions_org_stage_changed_idx").on(t.orgId, t.stage, t.stageChangedAt, t.modelId, t.lineageComplete),
    /** The versions whose stage changed at or after a window's end, whose stage then is looked up. */
    index("model_versions_org_changed_idx").on(t.orgId, t.stageChangedAt),
    /** Covers the registry metrics' registrations in a window and their channel. */
    index("model_versions_org_created_idx").on(t.orgId, t.createdAt, t.createdVia),
  ],
);

export const stageTransitions = sqliteTable(
  "stage_transitions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    modelId: integer("model_id")
      .notNull()
      .references(() => models.id),
    versionId: integer("version_id")
      .notNull()
      .references(() => modelVersions.id),
    /** NULL for the row that records a version's registration in its first stage. */
    fromStage: text("from_stage", { enum: STAGES }),
    toStage: text("to_stage", { enum: STAGES }).notNull(),
    actorType: text("actor_type", { enum: ACTOR_TYPES }).notNull(),
    actorId: integer("actor_id"),
    actorLabel: text("actor_label").notNull(),
    reason: text("reason").notNull().default(""),
    /** The approved request a promotion to production went through. */
    approvalRequestId: integer("approval_request_id"),
    /** The automatic approval policy a promotion went through instead of a request (none by people). */
    approvalPolicyId: integer("approval_policy_id"),
    /** JSON array of the gate checks as evaluated when the policy let the promotion through. */
    gateSnapshot: text("gate_snapshot"),
    createdAt: createdAt(),
  },
  (t) => [
    index("stage_transitions_version_idx").on(t.versionId, t.createdAt),
    /** Covers the registry metrics' promotions in a window (version for the lead time, approval for the gated share). */
    index("stage_transitions_org_to_created_idx").on(t.orgId, t.toStage, t.createdAt, t.versionId, t.approvalRequestId),
    index("stage_transitions_model_idx").on(t.modelId, t.createdAt),
  ],
);

export const incidents = sqliteTable(
  "incidents",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    modelId: integer("model_id")
      .notNull()
      .references(() => models.id),
    versionId: integer("version_id")
      .notNull()
      .references(() => modelVersions.id),
    title: text("title").notNull(),
    severity: text("severity", { enum: SEVERITIES }).notNull(),
    status: text("status", { enum: INCIDENT_STATUSES }).notNull(),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull(),
    detectedAt: integer("detected_at", { mode: "timestamp_ms" }).notNull(),
    resolvedAt: integer("resolved_at", { mode: "timestamp_ms" }),
    description: text("description").notNull().default(""),
    reviewUrl: text("review_url"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [
    index("incidents_org_started_idx").on(t.orgId, t.startedAt),
    index("incidents_version_idx").on(t.versionId),
    index("incidents_model_idx").on(t.modelId, t.startedAt),
  ],
);

export const serviceLevelObjectives = sqliteTable(
  "service_level_objectives",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    modelId: integer("model_id")
      .notNull()
      .references(() => models.id),
    metric: text("metric").notNull(),
    comparison: text("comparison", { enum: COMPARISONS }).notNull(),
    threshold: real("threshold").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("slo_model_metric_unique").on(t.modelId, t.metric)],
);

export const monitoringSnapshots = sqliteTable(
  "monitoring_snapshots",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    modelId: integer("model_id")
      .notNull()
      .references(() => models.id),
    versionId: integer("version_id")
      .notNull()
      .references(() => modelVersions.id),
    observedAt: integer("observed_at", { mode: "timestamp_ms" }).notNull(),
    metrics: text("metrics").notNull(),
    /** Names of the metrics that breached an objective when the snapshot arrived (JSON array). */
    breaches: text("breaches").notNull().default("[]"),
    breachCount: integer("breach_count").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    index("monitoring_version_observed_idx").on(t.versionId, t.observedAt),
    index("monitoring_model_observed_idx").on(t.modelId, t.observedAt),
    index("monitoring_org_observed_idx").on(t.orgId, t.observedAt),
    /** The registry metrics' SLO breaches in a window: only the snapshots that breached. */
    index("monitoring_org_breach_observed_idx")
      .on(t.orgId, t.observedAt)
      .where(sql`breach_count > 0`),
  ],
);

export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    name: text("name").notNull(),
    /** SHA-256 of the secret; the secret itself is shown once and never stored. */
    tokenHash: text("token_hash").notNull().unique(),
    /** First characters of the token, to recognise it in lists. */
    prefix: text("prefix").notNull(),
    scopes: text("scopes").notNull(),
    createdByLabel: text("created_by_label").notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("api_tokens_org_idx").on(t.orgId)],
);

// ---------------------------------------------------------------- governance

export const modelCards = sqliteTable(
  "model_cards",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    modelId: integer("model_id")
      .notNull()
      .references(() => models.id),
    versionId: integer("version_id")
      .notNull()
      .references(() => modelVersions.id),
    /** Approved revisions are immutable; a change after approval starts revision n + 1. */
    revision: integer("revision").notNull(),
    status: text("status", { enum: CARD_STATUSES }).notNull(),
    /** JSON object: section id → Markdown. */
    sections: text("sections").notNull(),
    /** JSON object: section id → version, bumped by each save of that section (stale saves are detected). */
    sectionVersions: text("section_versions").notNull().default("{}"),
    /** JSON object: section id → why the section does not apply to this model. */
    notApplicable: text("not_applicable").notNull().default("{}"),
    createdByLabel: text("created_by_label").notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
    submittedAt: integer("submitted_at", { mode: "timestamp_ms" }),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
    decidedByLabel: text("decided_by_label"),
    decisionComment: text("decision_comment"),
  },
  (t) => [
    uniqueIndex("model_cards_version_revision_unique").on(t.versionId, t.revision),
    index("model_cards_org_status_idx").on(t.orgId, t.status),
  ],
);

export const modelCardComments = sqliteTable(
  "model_card_comments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    cardId: integer("card_id")
      .notNull()
      .references(() => modelCards.id),
    section: text("section").notNull(),
    authorLabel: text("author_label").notNull(),
    body: text("body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("model_card_comments_card_idx").on(t.cardId)],
);

export const biasAudits = sqliteTable(
  "bias_audits",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    modelId: integer("model_id")
      .notNull()
      .references(() => models.id),
    versionId: integer("version_id")
      .notNull()
      .references(() => modelVersions.id),
    config: text("config").notNull(),
    preset: text("preset", { enum: FAIRNESS_PRESET_IDS }).notNull(),
    thresholds: text("thresholds").notNull(),
    rows: integer("rows").notNull(),
    skipped: integer("skipped").notNull(),
    /** Per-group confusion counts and rates (JSON); the raw file is never stored. */
    groups: text("groups").notNull(),
    disparities: text("disparities").notNull(),
    warnings: text("warnings").notNull(),
    passed: integer("passed", { mode: "boolean" }).notNull(),
    source: text("source").notNull(),
    fileName: text("file_name"),
    status: text("status", { enum: BIAS_AUDIT_STATUSES }).notNull(),
    signoffByLabel: text("signoff_by_label"),
    signoffComment: text("signoff_comment"),
    signoffAt: integer("signoff_at", { mode: "timestamp_ms" }),
    /** The person who ran the audit (NULL for a token): four-eyes, they may not sign it off. */
    createdById: integer("created_by_id"),
    createdByLabel: text("created_by_label").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("bias_audits_version_idx").on(t.versionId, t.createdAt), index("bias_audits_org_status_idx").on(t.orgId, t.status)],
);

export const approvalRequests = sqliteTable(
  "approval_requests",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    modelId: integer("model_id")
      .notNull()
      .references(() => models.id),
    versionId: integer("version_id")
      .notNull()
      .references(() => modelVersions.id),
    status: text("status", { enum: APPROVAL_STATUSES }).notNull(),
    requesterType: text("requester_type", { enum: ACTOR_TYPES }).notNull(),
    requesterId: integer("requester_id"),
    requesterLabel: text("requester_label").notNull(),
    /** JSON array of the roles that must each approve once. */
    requiredRoles: text("required_roles").notNull(),
    /** JSON array of the gate checks as evaluated when the request was opened. */
    checks: text("checks").notNull(),
    reason: text("reason").notNull().default(""),
    createdAt: createdAt(),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("approval_requests_org_status_idx").on(t.orgId, t.status), index("approval_requests_version_idx").on(t.versionId)],
);

export const approvalDecisions = sqliteTable(
  "approval_decisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    requestId: integer("request_id")
      .notNull()
      .references(() => approvalRequests.id),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    userLabel: text("user_label").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    decision: text("decision", { enum: DECISIONS }).notNull(),
    comment: text("comment").notNull().default(""),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("approval_decisions_request_user_unique").on(t.requestId, t.userId)],
);

/**
 * Who must approve a promotion to production, per risk tier. No active row for a tier means the
 * built-in default (today's rule). Rows are never edited in place: a change adds a row and marks the
 * one it replaces, so the history of policies stays readable.
 */
export const approvalPolicies = sqliteTable(
  "approval_policies",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    riskTier: text("risk_tier", { enum: RISK_TIERS }).notNull(),
    /** Promote without people once every gate passes (minimal and limited tiers only). */
    automatic: integer("automatic", { mode: "boolean" }).notNull().default(false),
    /** JSON array of the roles that must each approve once (empty when automatic). */
    requiredRoles: text("required_roles").notNull().default("[]"),
    status: text("status", { enum: APPROVAL_POLICY_STATUSES }).notNull(),
    proposedById: integer("proposed_by_id").references(() => users.id),
    proposedByLabel: text("proposed_by_label").notNull(),
    proposedAt: integer("proposed_at", { mode: "timestamp_ms" }).notNull(),
    confirmedById: integer("confirmed_by_id").references(() => users.id),
    confirmedByLabel: text("confirmed_by_label"),
    confirmedAt: integer("confirmed_at", { mode: "timestamp_ms" }),
    /** When it stopped applying (replaced or withdrawn). */
    endedAt: integer("ended_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("approval_policies_org_tier_status_idx").on(t.orgId, t.riskTier, t.status),
    /** At most one policy in force per tier. */
    uniqueIndex("approval_policies_active_unique")
      .on(t.orgId, t.riskTier)
      .where(sql`${t.status} = 'active'`),
  ],
);

export const orgSettings = sqliteTable("org_settings", {
  orgId: integer("org_id")
    .primaryKey()
    .references(() => organizations.id),
  fairnessRatioMin: real("fairness_ratio_min").notNull().default(0.8),
  fairnessDifferenceMax: real("fairness_difference_max").notNull().default(0.1),
  fairnessPreset: text("fairness_preset", { enum: FAIRNESS_PRESET_IDS }).notNull().default("org-default"),
  /** The framework version the next assessment uses; NULL means the newest built-in version. */
  frameworkVersion: text("framework_version"),
  /** IANA time zone for digests and "Monday morning" (e.g. "Europe/Berlin"). */
  timeZone: text("time_zone").notNull().default("UTC"),
  /** The ISO week (e.g. "2026-W49", in the time zone above) whose Monday digests went out: once a week, however often the job runs. */
  digestSentFor: text("digest_sent_for"),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" })
    .notNull()
    .$defaultFn(() => new Date()),
});

// ---------------------------------------------------------------- assessments

/**
 * Framework versions uploaded by site administrators (the built-in ones live in `content/`).
 * A draft can be replaced or deleted; a published version never changes.
 */
export const frameworkVersions = sqliteTable(
  "framework_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** The framework's id, e.g. "technology-operations". */
    frameworkId: text("framework_id").notNull(),
    version: text("version").notNull(),
    /** The version as uploaded: JSON in the shape of `content/` (FrameworkSchema). */
    content: text("content").notNull(),
    /** SHA-256 of `content`, shown beside a published version so a copy can be checked. */
    contentHash: text("content_hash").notNull(),
    status: text("status", { enum: FRAMEWORK_VERSION_STATUSES }).notNull(),
    uploadedById: integer("uploaded_by_id").references(() => users.id),
    uploadedByLabel: text("uploaded_by_label").notNull(),
    createdAt: createdAt(),
    publishedById: integer("published_by_id").references(() => users.id),
    publishedByLabel: text("published_by_label"),
    publishedAt: integer("published_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("framework_versions_framework_version_unique").on(t.frameworkId, t.version)],
);

export const assessments = sqliteTable(
  "assessments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    /** Calendar quarter, e.g. "2026-Q4"; one assessment per organisation and quarter. */
    period: text("period").notNull(),
    frameworkVersion: text("framework_version").notNull(),
    status: text("status", { enum: ASSESSMENT_STATUSES }).notNull(),
    createdByLabel: text("created_by_label").notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
    finalizedAt: integer("finalized_at", { mode: "timestamp_ms" }),
    finalizedByLabel: text("finalized_by_label"),
    /** JSON: component id → why a level above the registry evidence is claimed. */
    justifications: text("justifications").notNull().default("{}"),
    /** JSON snapshots taken at finalisation, so history never changes. */
    metricsSnapshot: text("metrics_snapshot"),
    scoreSnapshot: text("score_snapshot"),
    /** A finalised assessment withdrawn by leadership: kept readable, left out of trends and roadmaps. */
    withdrawnAt: integer("withdrawn_at", { mode: "timestamp_ms" }),
    withdrawnByLabel: text("withdrawn_by_label"),
    withdrawnReason: text("withdrawn_reason"),
  },
  // One live assessment per quarter: a withdrawn one frees its quarter for a new assessment.
  (t) => [
    uniqueIndex("assessments_org_period_live_unique")
      .on(t.orgId, t.period)
      .where(sql`${t.status} <> 'withdrawn'`),
  ],
);

export const assessmentStatements = sqliteTable(
  "assessment_statements",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    assessmentId: integer("assessment_id")
      .notNull()
      .references(() => assessments.id),
    statementId: text("statement_id").notNull(),
    status: text("status", { enum: STATEMENT_STATUSES }).notNull(),
    /** Required when not applicable. */
    reason: text("reason"),
    evidenceNote: text("evidence_note"),
    evidenceUrl: text("evidence_url"),
    evidenceDate: text("evidence_date"),
    updatedByLabel: text("updated_by_label").notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [uniqueIndex("assessment_statements_unique").on(t.assessmentId, t.statementId)],
);

export const assessmentAnswers = sqliteTable(
  "assessment_answers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    assessmentId: integer("assessment_id")
      .notNull()
      .references(() => assessments.id),
    questionId: text("question_id").notNull(),
    level: integer("level").notNull(),
    note: text("note"),
    updatedByLabel: text("updated_by_label").notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [uniqueIndex("assessment_answers_unique").on(t.assessmentId, t.questionId)],
);

/**
 * One row per assessment component that has been saved: its version (bumped by
 * every save, so a save made on a stale page is detected) and who last saved it.
 * The last audited save lets consecutive autosaves by one person share one audit entry.
 */
export const assessmentComponentStates = sqliteTable(
  "assessment_component_states",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    assessmentId: integer("assessment_id")
      .notNull()
      .references(() => assessments.id),
    componentId: text("component_id").notNull(),
    version: integer("version").notNull().default(0),
    updatedById: integer("updated_by_id"),
    updatedByLabel: text("updated_by_label").notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
    lastAuditedById: integer("last_audited_by_id"),
    lastAuditedAt: integer("last_audited_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("assessment_component_states_unique").on(t.assessmentId, t.componentId)],
);

/** Evidence notes that team members add to a statement without changing its status. */
export const assessmentEvidenceNotes = sqliteTable(
  "assessment_evidence_notes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    assessmentId: integer("assessment_id")
      .notNull()
      .references(() => assessments.id),
    statementId: text("statement_id").notNull(),
    authorLabel: text("author_label").notNull(),
    body: text("body").notNull(),
    url: text("url"),
    createdAt: createdAt(),
  },
  (t) => [index("assessment_evidence_notes_idx").on(t.assessmentId, t.statementId)],
);

// ---------------------------------------------------------------- roadmaps

export const roadmaps = sqliteTable(
  "roadmaps",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    assessmentId: integer("assessment_id")
      .notNull()
      .references(() => assessments.id),
    contentRoadmapId: text("content_roadmap_id").notNull(),
    fromLevel: integer("from_level").notNull(),
    toLevel: integer("to_level").notNull(),
    title: text("title").notNull(),
    goal: text("goal").notNull(),
    startDate: text("start_date").notNull(),
    status: text("status", { enum: ROADMAP_STATUSES }).notNull(),
    /** JSON: the transition's workstreams with their month ranges, for the phase bars. */
    workstreams: text("workstreams").notNull(),
    supersededById: integer("superseded_by_id"),
    createdByLabel: text("created_by_label").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("roadmaps_org_status_idx").on(t.orgId, t.status)],
);

export const roadmapItems = sqliteTable(
  "roadmap_items",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    roadmapId: integer("roadmap_id")
      .notNull()
      .references(() => roadmaps.id),
    itemKey: text("item_key").notNull(),
    title: text("title").notNull(),
    /** JSON array of component ids. */
    components: text("components").notNull(),
    workstreamKey: text("workstream_key").notNull(),
    workstreamTitle: text("workstream_title").notNull(),
    startMonth: integer("start_month").notNull(),
    endMonth: integer("end_month").notNull(),
    dueDate: text("due_date").notNull(),
    priority: integer("priority").notNull(),
    catchUp: integer("catch_up", { mode: "boolean" }).notNull(),
    status: text("status", { enum: ITEM_STATUSES }).notNull(),
    ownerUserId: integer("owner_user_id").references(() => users.id),
    team: text("team"),
    evidence: text("evidence"),
    completedAt: integer("completed_at", { mode: "timestamp_ms" }),
    closedReason: text("closed_reason"),
    carriedFromItemId: integer("carried_from_item_id"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [
    uniqueIndex("roadmap_items_key_unique").on(t.roadmapId, t.itemKey),
    index("roadmap_items_org_due_idx").on(t.orgId, t.status, t.dueDate),
    /** One roadmap's items by status (progress counts) and its overdue items by due date (the dashboard). */
    index("roadmap_items_roadmap_status_due_idx").on(t.roadmapId, t.status, t.dueDate),
    index("roadmap_items_owner_idx").on(t.ownerUserId, t.status),
    /** The roadmap page's groups: counts per workstream and the rows of one page, in priority order. */
    index("roadmap_items_roadmap_workstream_idx").on(t.roadmapId, t.workstreamKey, t.priority, t.status),
    /** The burn-up: one roadmap's completions by time. */
    index("roadmap_items_roadmap_completed_idx").on(t.roadmapId, t.completedAt),
  ],
);

export const roadmapItemComments = sqliteTable(
  "roadmap_item_comments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    itemId: integer("item_id")
      .notNull()
      .references(() => roadmapItems.id),
    authorLabel: text("author_label").notNull(),
    body: text("body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("roadmap_item_comments_item_idx").on(t.itemId)],
);

export const roadmapCriteria = sqliteTable(
  "roadmap_criteria",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    roadmapId: integer("roadmap_id")
      .notNull()
      .references(() => roadmaps.id),
    criterionKey: text("criterion_key").notNull(),
    text: text("text").notNull(),
    /** JSON of the machine check, or NULL when leadership ticks it by hand. */
    check: text("check"),
    manualMet: integer("manual_met", { mode: "boolean" }),
    manualEvidence: text("manual_evidence"),
    manualByLabel: text("manual_by_label"),
    manualAt: integer("manual_at", { mode: "timestamp_ms" }),
  },
  (t) => [uniqueIndex("roadmap_criteria_key_unique").on(t.roadmapId, t.criterionKey)],
);

// ---------------------------------------------------------------- notifications

/**
 * What a person sees in the portal's inbox: one row per event and recipient,
 * written in the same transaction as the change that caused it. `orgId` is
 * NULL for messages about the person's account.
 */
export const notifications = sqliteTable(
  "notifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: integer("org_id").references(() => organizations.id),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    eventType: text("event_type", { enum: EVENT_TYPE_NAMES }).notNull(),
    category: text("category", { enum: NOTIFICATION_CATEGORIES }).notNull(),
    title: text("title").notNull(),
    body: text("body").notNull().default(""),
    /** Path in the portal the notification links to (made absolute with PUBLIC_URL in emails). */
    path: text("path").notNull(),
    createdAt: createdAt(),
    readAt: integer("read_at", { mode: "timestamp_ms" }),
    /** Set when the weekly digest carried it (people who chose the digest for its category). */
    digestedAt: integer("digested_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("notifications_user_created_idx").on(t.userId, t.createdAt), index("notifications_user_unread_idx").on(t.userId, t.readAt)],
);

/** A person's choice per category; no row means the category's default (email). */
export const notificationPreferences = sqliteTable(
  "notification_preferences",
  {
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    category: text("category", { enum: NOTIFICATION_CATEGORIES }).notNull(),
    mode: text("mode", { enum: DELIVERY_MODES }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
  },
  (t) => [uniqueIndex("notification_preferences_user_category_unique").on(t.userId, t.category)],
);

/**
 * Webhook endpoints an organisation registered (admins in the UI, pipelines
 * through the API). The signing secret is sealed with the secrets key
 * (app/utils/keys.server.ts); it is shown once, when created.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** JSON array of event type names. */
    events: text("events").notNull(),
    sealedSecret: text("sealed_secret").notNull(),
    createdByLabel: text("created_by_label").notNull(),
    createdAt: createdAt(),
    /** Since when every delivery failed (NULL after a success); 24 hours of it disables the endpoint. */
    failingSince: integer("failing_since", { mode: "timestamp_ms" }),
    disabledAt: integer("disabled_at", { mode: "timestamp_ms" }),
    disabledReason: text("disabled_reason"),
    deletedAt: integer("deleted_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("webhook_endpoints_org_idx").on(t.orgId)],
);

/**
 * The transactional outbox: each email or webhook message is written in the
 * same transaction as the change that caused it, then delivered by the
 * scheduler's one worker with retries. `messageId` is the idempotency id a
 * receiver sees (`webhook-id`, `Message-ID`): a crash between sending and
 * recording sends a message again under the same id, never a new one.
 * Delivery bookkeeping moves no change counter.
 */
export const outboxMessages = sqliteTable(
  "outbox_messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    messageId: text("message_id").notNull().unique(),
    orgId: integer("org_id").references(() => organizations.id),
    eventType: text("event_type", { enum: EVENT_TYPE_NAMES }).notNull(),
    channel: text("channel", { enum: OUTBOX_CHANNELS }).notNull(),
    /** Email: the address (and the person, when they have an account). */
    toEmail: text("to_email"),
    toUserId: integer("to_user_id").references(() => users.id),
    /** Webhook: the endpoint. */
    webhookEndpointId: integer("webhook_endpoint_id").references(() => webhookEndpoints.id),
    /** Email subject, or the webhook event's summary. */
    subject: text("subject").notNull(),
    /** JSON: the email's text and HTML, or the webhook's payload. */
    body: text("body").notNull(),
    status: text("status", { enum: OUTBOX_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }).notNull(),
    lastError: text("last_error"),
    createdAt: createdAt(),
    deliveredAt: integer("delivered_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("outbox_messages_due_idx").on(t.status, t.nextAttemptAt),
    index("outbox_messages_org_created_idx").on(t.orgId, t.createdAt),
    index("outbox_messages_endpoint_idx").on(t.webhookEndpointId, t.createdAt),
  ],
);

/** One row per delivery attempt: what the receiver answered and how long it took. */
export const deliveryAttempts = sqliteTable(
  "delivery_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    outboxMessageId: integer("outbox_message_id")
      .notNull()
      .references(() => outboxMessages.id),
    attemptedAt: integer("attempted_at", { mode: "timestamp_ms" }).notNull(),
    ok: integer("ok", { mode: "boolean" }).notNull(),
    /** HTTP status of a webhook answer, or the SMTP reply code. */
    statusCode: integer("status_code"),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
  },
  (t) => [index("delivery_attempts_message_idx").on(t.outboxMessageId, t.attemptedAt)],
);

/** People who follow a model besides its owner: they hear of its incidents and breaches. */
export const modelFollowers = sqliteTable(
  "model_followers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    modelId: integer("model_id")
      .notNull()
      .references(() => models.id),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("model_followers_model_user_unique").on(t.modelId, t.userId), index("model_followers_user_idx").on(t.userId)],
);

/** Browsers a person has signed in from (a long-lived cookie's SHA-256): a new one earns an email. */
export const knownDevices = sqliteTable(
  "known_devices",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    deviceHash: text("device_hash").notNull(),
    userAgent: text("user_agent").notNull().default(""),
    firstSeenAt: integer("first_seen_at", { mode: "timestamp_ms" }).notNull(),
    lastSeenAt: integer("last_seen_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("known_devices_user_device_unique").on(t.userId, t.deviceHash)],
);

/** Password reset links: single use, time-limited; only the SHA-256 of the secret is kept. */
export const passwordResets = sqliteTable(
  "password_resets",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    tokenHash: text("token_hash").notNull().unique(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    /** The address that asked: requests are throttled per address as well as per account. */
    requestedFrom: text("requested_from").notNull().default(""),
  },
  (t) => [index("password_resets_user_idx").on(t.userId, t.createdAt), index("password_resets_from_idx").on(t.requestedFrom, t.createdAt)],
);

/**
 * Accounts' identities at OpenID Connect providers (docs/decisions/0009): an
 * identity is its (issuer, subject) pair, never its email, which is kept only
 * as last asserted.
 */
export const userIdentities = sqliteTable(
  "user_identities",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    email: text("email").notNull(),
    createdAt: createdAt(),
    lastSignInAt: integer("last_sign_in_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [uniqueIndex("user_identities_issuer_subject_unique").on(t.issuer, t.subject), index("user_identities_user_idx").on(t.userId)],
);

/**
 * A provider's first sign-in for an email that already has an account: the
 * identity is linked only after the person signs in with the account's
 * password (/auth/oidc/link). Single use, short-lived; only the SHA-256 of the
 * secret the browser holds is kept.
 */
export const oidcLinkProofs = sqliteTable(
  "oidc_link_proofs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull().unique(),
    issuer: text("issuer").notNull(),
    subject: text("subject").notNull(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    email: text("email").notNull(),
    /** The groups the provider asserted, as JSON: membership follows them once linked. */
    groups: text("groups").notNull().default("[]"),
    /** The provider the sign-in went through: "env" (OIDC_* variables) or an organisation's provider id. */
    provider: text("provider").notNull().default("env"),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("oidc_link_proofs_user_idx").on(t.userId)],
);

/**
 * An organisation's own OpenID Connect provider, configured by its admins
 * (one per organisation). The client secret is sealed with the secrets key
 * (app/utils/keys.server.ts). It signs in only people whose email domain the
 * organisation claimed and a site administrator approved (`org_domains`).
 */
export const oidcProviders = sqliteTable("oidc_providers", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  orgId: orgIdColumn().unique(),
  issuer: text("issuer").notNull(),
  clientId: text("client_id").notNull(),
  sealedClientSecret: text("sealed_client_secret").notNull(),
  groupsClaim: text("groups_claim").notNull().default("groups"),
  /** JSON object: group name → role. */
  roleMap: text("role_map").notNull().default("{}"),
  /** The role of someone in no mapped group; NULL: no membership. */
  defaultRole: text("default_role", { enum: ROLES }),
  createUsers: integer("create_users", { mode: "boolean" }).notNull().default(true),
  required: integer("required", { mode: "boolean" }).notNull().default(false),
  /** An admin member who keeps password access when single sign-on is required. */
  breakGlassUserId: integer("break_glass_user_id").references(() => users.id),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  updatedByLabel: text("updated_by_label").notNull(),
});

/**
 * An organisation's claim to an email domain for its provider: active only
 * once a site administrator approved it; one approved claim per domain.
 */
export const orgDomains = sqliteTable(
  "org_domains",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: orgIdColumn(),
    domain: text("domain").notNull(),
    status: text("status", { enum: DOMAIN_CLAIM_STATUSES }).notNull().default("pending"),
    requestedById: integer("requested_by_id")
      .notNull()
      .references(() => users.id),
    requestedAt: integer("requested_at", { mode: "timestamp_ms" })
      .notNull()
      .$defaultFn(() => new Date()),
    decidedById: integer("decided_by_id").references(() => users.id),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    uniqueIndex("org_domains_approved_unique")
      .on(t.domain)
      .where(sql`${t.status} = 'approved'`),
    index("org_domains_org_idx").on(t.orgId, t.domain),
  ],
);

/**
 * Change counters for the data cache (app/data-cache.server.ts): `org:<id>` is
 * bumped by every write transaction that changes that organisation's data,
 * `site` by every change to shared data (users, organisations, memberships).
 * Cached readers key their entries by these versions, so any process sees a
 * write by any other process on its next read.
 */
export const changeCounters = sqliteTable("change_counters", {
  scope: text("scope").primaryKey(),
  version: integer("version").notNull().default(0),
});
