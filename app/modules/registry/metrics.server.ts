import { sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "../../../db/client";
import { currentQuarterRange, monthsBetween } from "../../utils/quarters";
import { median } from "./lifecycle";
import { BIAS_AUDIT_FRESHNESS_DAYS, STAGES, type Stage } from "./registry-constants";

export type MetricsWindow = { from: Date; to: Date };

const HOUR = 3_600_000;
const AVERAGE_MONTH_DAYS = 365.25 / 12;

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/**
 * The registry's figures for one organisation and window [from, to). Stages
 * are taken "as at `to`" from the transition history, so past quarters give
 * the same answer tomorrow as today. Exact: every figure is a count or a
 * median over rows, never an estimate.
 */
export function computeRegistryMetrics(orgId: number, window: MetricsWindow = currentQuarterRange(), db: DbOrTx = getDb()) {
  const from = window.from.getTime();
  const to = window.to.getTime();

  // Each version's stage at the window end: its latest transition before then. A version's `stage`
  // and `stage_changed_at` are that of its latest transition (both written with it, in one
  // transaction), so a version whose stage last changed before the window end was in that stage
  // then; only versions moved since (past windows) look their transition up, through the
  // (version, time) index. Versions with no transition before the window end have no stage then.
  const latestTransitions = sql`
    select v.id as version_id, v.model_id, v.lineage_complete, case when v.stage_changed_at < ${to} then v.stage else (
      select t.to_stage from stage_transitions t where t.version_id = v.id and t.created_at < ${to}
      order by t.created_at desc, t.id desc limit 1) end as to_stage
    from model_versions v where v.org_id = ${orgId}`;

  const modelsTotal = db.get<{ n: number }>(sql`select count(*) as n from models where org_id = ${orgId} and created_at < ${to}`)?.n ?? 0;

  // Every figure over the stages at `to` in one pass over the latest transitions (the costliest read
  // here): counts per stage, and for production versions the incident, card and audit checks.
  const inProduction = sql`l.to_stage = 'production'`;
  const stageRows = db.all<{
    stage: Stage;
    versions: number;
    models: number;
    complete: number;
    modelsWithIncident: number;
    carded: number;
    audited: number;
  }>(sql`
    with latest as (${latestTransitions})
    select l.to_stage as stage, count(*) as versions, count(distinct l.model_id) as models,
           sum(case when l.lineage_complete = 1 then 1 else 0 end) as complete,
           count(distinct case when ${inProduction} and exists (select 1 from incidents i where i.model_id = l.model_id
             and i.started_at >= ${from} and i.started_at < ${to}) then l.model_id end) as modelsWithIncident,
           sum(case when ${inProduction} and exists (select 1 from model_cards c where c.version_id = l.version_id
             and c.status = 'approved' and c.decided_at < ${to}) then 1 else 0 end) as carded,
           sum(case when ${inProduction} and exists (select 1 from bias_audits a where a.version_id = l.version_id
             and a.status = 'accepted' and a.passed = 1 and a.signoff_at < ${to}
             and a.signoff_at >= ${to - BIAS_AUDIT_FRESHNESS_DAYS * 24 * HOUR}) then 1 else 0 end) as audited
    from latest l where l.to_stage is not null
    group by l.to_stage`);
  const versionsByStage = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  for (const row of stageRows) versionsByStage[row.stage] = row.versions;
  const production = stageRows.find((r) => r.stage === "production");
  const productionModels = production?.models ?? 0;

  const incidentRows = db.all<{ model_id: number; started_at: number; detected_at: number; resolved_at: number | null }>(sql`
    select model_id, started_at, detected_at, resolved_at from incidents
    where org_id = ${orgId} and started_at >= ${from} and started_at < ${to}`);

  const promotions = db.all<{ at: number; version_created: number }>(sql`
    select t.created_at as at, v.created_at as version_created
    from stage_transitions t join model_versions v on v.id = t.version_id
    where t.org_id = ${orgId} and t.to_stage = 'production' and t.created_at >= ${from} and t.created_at < ${to}`);
  const promotionsByMonth = new Map(monthsBetween(window.from, window.to).map((m) => [m, 0]));
  for (const p of promotions) {
    const month = new Date(p.at).toISOString().slice(0, 7);
    promotionsByMonth.set(month, (promotionsByMonth.get(month) ?? 0) + 1);
  }

  const registrations = db.get<{ total: number; api: number }>(sql`
    select count(*) as total, coalesce(sum(case when created_via = 'api' then 1 else 0 end), 0) as api
    from model_versions where org_id = ${orgId} and created_at >= ${from} and created_at < ${to}`) ?? {
    total: 0,
    api: 0,
  };

  const sloBreaches =
    db.get<{ n: number }>(sql`
      select count(*) as n from monitoring_snapshots
      where org_id = ${orgId} and observed_at >= ${from} and observed_at < ${to} and breach_count > 0`)?.n ?? 0;

  const gatedPromotions =
    db.get<{ n: number }>(sql`
      select count(*) as n from stage_transitions
      where org_id = ${orgId} and to_stage = 'production' and approval_request_id is not null
        and created_at >= ${from} and created_at < ${to}`)?.n ?? 0;

  const decisions = db.all<{ hours: number }>(sql`
    select (decided_at - created_at) / 3600000.0 as hours from approval_requests
    where org_id = ${orgId} and status in ('approved', 'rejected') and decided_at >= ${from} and decided_at < ${to}`);

  const openApprovalRequests =
    db.get<{ n: number }>(sql`
      select count(*) as n from approval_requests
      where org_id = ${orgId} and created_at < ${to} and (decided_at is null or decided_at >= ${to})`)?.n ?? 0;

  const windowMonths = (to - from) / (AVERAGE_MONTH_DAYS * 24 * HOUR);
  return {
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    modelsTotal,
    versionsByStage,
    productionModels,
    incidentsInWindow: incidentRows.length,
    incidentRate: share(incidentRows.length, productionModels),
    productionModelsWithIncidentShare: share(production?.modelsWithIncident ?? 0, productionModels),
    medianTimeToDetectHours: median(incidentRows.map((i) => (i.detected_at - i.started_at) / HOUR)),
    medianTimeToRecoverHours: median(
      incidentRows.filter((i) => i.resolved_at !== null).map((i) => (i.resolved_at! - i.detected_at) / HOUR),
    ),
    productionPromotions: promotions.length,
    deploymentsPerMonth: windowMonths > 0 ? promotions.length / windowMonths : null,
    promotionsByMonth: [...promotionsByMonth].map(([month, count]) => ({ month, count })),
    medianLeadTimeHours: median(promotions.map((p) => (p.at - p.version_created) / HOUR)),
    lineageCompleteShare: share(production?.complete ?? 0, production?.versions ?? 0),
    registrations: registrations.total,
    apiRegistrationShare: share(registrations.api, registrations.total),
    sloBreaches,
    approvalGatedShare: share(gatedPromotions, promotions.length),
    approvedCardShare: share(production?.carded ?? 0, production?.versions ?? 0),
    passingAuditShare: share(production?.audited ?? 0, production?.versions ?? 0),
    medianApprovalDecisionHours: median(decisions.map((d) => d.hours)),
    openApprovalRequests,
  };
}

export type RegistryMetrics = ReturnType<typeof computeRegistryMetrics>;
