import type { Actor } from "../app/modules/audit/audit.server";
import { createApiToken } from "../app/modules/auth/api-tokens.server";
import type { RiskTier } from "../app/modules/registry/registry-constants";
import { productionVersionOn } from "../app/modules/registry/lifecycle";
import {
  createIncident,
  createModel,
  createVersion,
  getModelDetail,
  recordMonitoringSnapshot,
  setObjective,
} from "../app/modules/registry/registry.server";
import { transitionVersion } from "../app/modules/governance/transitions.server";
import { quarterOf, quarterRange, shiftQuarter } from "../app/utils/quarters";
import { seededRandom } from "../app/utils/seeded-random";
import { promoteThroughGates, seedPendingReviews, type GovernanceActors } from "./seed-governance";
import type { SeedTimeline } from "./seed-timeline";

/**
 * A believable registry for the demo organisation: a dozen models whose
 * history spans the last four quarters and the current one. Production grows
 * from 3 to 10 models, lead times shrink, lineage and API use improve, and
 * incidents become rarer, so the dashboard and the assessments tell one story.
 * Deterministic: the same dates relative to the current quarter every time.
 */

type DemoModel = {
  slug: string;
  name: string;
  riskTier: RiskTier;
  ownerTeam: string;
  businessOwner: string;
  businessDomain: string;
  useCase: string;
  tags: string[];
  algorithm: string;
  framework: string;
  /** Day (from the seed's day zero) of the first production promotion; null = never promoted. */
  firstProduction: number | null;
  /** Days between successive releases after the first. */
  cadence: number;
  metric: { name: string; base: number };
  finalStage?: "development" | "validation";
};

const DEMO_MODELS: DemoModel[] = [
  {
    slug: "credit-risk-scorer",
    name: "Credit Risk Scorer",
    riskTier: "high",
    ownerTeam: "Risk Analytics",
    businessOwner: "Head of Lending",
    businessDomain: "Lending",
    useCase: "Scores retail loan applications for default risk",
    tags: ["credit", "lending"],
    algorithm: "Gradient boosted trees",
    framework: "XGBoost 2.0",
    firstProduction: 0,
    cadence: 120,
    metric: { name: "auc", base: 0.81 },
  },
  {
    slug: "fraud-detector",
    name: "Card Fraud Detector",
    riskTier: "high",
    ownerTeam: "Fraud Operations",
    businessOwner: "Chief Risk Officer",
    businessDomain: "Payments",
    useCase: "Flags card transactions for review in real time",
    tags: ["fraud", "payments", "real-time"],
    algorithm: "Isolation forest + GBM ensemble",
    framework: "scikit-learn 1.5",
    firstProduction: 12,
    cadence: 90,
    metric: { name: "recall", base: 0.74 },
  },
  {
    slug: "demand-forecaster",
    name: "Store Demand Forecaster",
    riskTier: "minimal",
    ownerTeam: "Supply Chain Analytics",
    businessOwner: "VP Supply Chain",
    businessDomain: "Supply chain",
    useCase: "Forecasts weekly demand per store and product",
    tags: ["forecasting"],
    algorithm: "Temporal fusion transformer",
    framework: "PyTorch 2.3",
    firstProduction: 70,
    cadence: 100,
    metric: { name: "mape", base: 0.14 },
  },
  {
    slug: "churn-predictor",
    name: "Customer Churn Predictor",
    riskTier: "limited",
    ownerTeam: "Customer Insights",
    businessOwner: "Head of Retention",
    businessDomain: "Customer",
    useCase: "Predicts which subscribers are likely to cancel within 90 days",
    tags: ["retention", "marketing"],
    algorithm: "Logistic regression",
    framework: "scikit-learn 1.4",
    firstProduction: 125,
    cadence: 110,
    metric: { name: "auc", base: 0.78 },
  },
  {
    slug: "support-ticket-router",
    name: "Support Ticket Router",
    riskTier: "minimal",
    ownerTeam: "Customer Service Tech",
    businessOwner: "Head of Support",
    businessDomain: "Customer service",
    useCase: "Routes incoming tickets to the right queue",
    tags: ["nlp"],
    algorithm: "Fine-tuned DistilBERT",
    framework: "Hugging Face Transformers",
    firstProduction: 150,
    cadence: 95,
    metric: { name: "accuracy", base: 0.88 },
  },
  {
    slug: "product-recommender",
    name: "Product Recommender",
    riskTier: "limited",
    ownerTeam: "Digital Experience",
    businessOwner: "Chief Digital Officer",
    businessDomain: "E-commerce",
    useCase: "Recommends products on the web shop and in the app",
    tags: ["recommendations", "real-time"],
    algorithm: "Two-tower retrieval",
    framework: "TensorFlow 2.16",
    firstProduction: 215,
    cadence: 60,
    metric: { name: "ndcg_at_10", base: 0.31 },
  },
  {
    slug: "document-classifier",
    name: "Invoice Document Classifier",
    riskTier: "minimal",
    ownerTeam: "Operations Automation",
    businessOwner: "Finance Operations Lead",
    businessDomain: "Finance",
    useCase: "Classifies scanned invoices and extracts their type",
    tags: ["nlp", "documents"],
    algorithm: "LayoutLM",
    framework: "PyTorch 2.3",
    firstProduction: 240,
    cadence: 80,
    metric: { name: "f1", base: 0.9 },
  },
  {
    slug: "price-optimizer",
    name: "Markdown Price Optimizer",
    riskTier: "limited",
    ownerTeam: "Pricing Science",
    businessOwner: "Commercial Director",
    businessDomain: "Pricing",
    useCase: "Suggests end-of-season markdowns per product",
    tags: ["pricing"],
    algorithm: "Bayesian demand model",
    framework: "PyMC 5",
    firstProduction: 300,
    cadence: 70,
    metric: { name: "revenue_uplift", base: 0.03 },
  },
  {
    slug: "marketing-propensity",
    name: "Marketing Propensity Model",
    riskTier: "limited",
    ownerTeam: "Customer Insights",
    businessOwner: "CMO",
    businessDomain: "Marketing",
    useCase: "Ranks customers by propensity to respond to campaigns",
    tags: ["marketing"],
    algorithm: "LightGBM",
    framework: "LightGBM 4.3",
    firstProduction: 318,
    cadence: 60,
    metric: { name: "auc", base: 0.72 },
  },
  {
    slug: "infra-anomaly-monitor",
    name: "Infrastructure Anomaly Monitor",
    riskTier: "minimal",
    ownerTeam: "ML Platform",
    businessOwner: "Head of Platform",
    businessDomain: "IT operations",
    useCase: "Detects anomalies in service metrics for the on-call team",
    tags: ["monitoring", "platform"],
    algorithm: "Seasonal ESD",
    framework: "statsmodels",
    firstProduction: 335,
    cadence: 60,
    metric: { name: "precision", base: 0.83 },
  },
  {
    slug: "resume-screener",
    name: "Résumé Screener",
    riskTier: "high",
    ownerTeam: "People Analytics",
    businessOwner: "Chief People Officer",
    businessDomain: "Human resources",
    useCase: "Shortlists applications for recruiter review",
    tags: ["hr", "nlp"],
    algorithm: "Cross-encoder ranking",
    framework: "Hugging Face Transformers",
    firstProduction: null,
    cadence: 90,
    metric: { name: "ndcg_at_10", base: 0.55 },
    finalStage: "validation",
  },
  {
    slug: "store-emotion-recognition",
    name: "In-store Emotion Recognition",
    riskTier: "unacceptable",
    ownerTeam: "Retail Innovation",
    businessOwner: "Head of Store Innovation",
    businessDomain: "Retail",
    useCase: "Prototype that infers shopper emotions from camera feeds (not allowed into production)",
    tags: ["computer-vision", "prototype"],
    algorithm: "CNN",
    framework: "PyTorch 2.3",
    firstProduction: null,
    cadence: 90,
    metric: { name: "accuracy", base: 0.61 },
    finalStage: "development",
  },
];

/** Incidents by model and day, with hours to detect and to recover (null = still open). */
const DEMO_INCIDENTS: Array<{
  slug: string;
  day: number;
  title: string;
  severity: "sev1" | "sev2" | "sev3" | "sev4";
  detectHours: number;
  recoverHours: number | null;
}> = [
  {
    slug: "credit-risk-scorer",
    day: 40,
    title: "Score drift after bureau data format change",
    severity: "sev2",
    detectHours: 30,
    recoverHours: 52,
  },
  { slug: "fraud-detector", day: 75, title: "Latency spike during holiday peak", severity: "sev1", detectHours: 2, recoverHours: 6 },
  {
    slug: "demand-forecaster",
    day: 118,
    title: "Forecast job silently skipped two stores",
    severity: "sev3",
    detectHours: 48,
    recoverHours: 20,
  },
  {
    slug: "churn-predictor",
    day: 160,
    title: "Feature pipeline served stale tenure values",
    severity: "sev3",
    detectHours: 20,
    recoverHours: 9,
  },
  {
    slug: "fraud-detector",
    day: 230,
    title: "False-positive surge on a new card product",
    severity: "sev2",
    detectHours: 6,
    recoverHours: 14,
  },
  {
    slug: "product-recommender",
    day: 330,
    title: "Empty recommendations for new users",
    severity: "sev3",
    detectHours: 1.5,
    recoverHours: 3,
  },
  {
    slug: "price-optimizer",
    day: 400,
    title: "Markdown suggestions outside the allowed range",
    severity: "sev2",
    detectHours: 0.5,
    recoverHours: null,
  },
];

const DAY = 86_400_000;

export type DemoActors = GovernanceActors & { admin: Actor; leaderActor: Actor; ownerUserId: number };

/** Releases after this day go through the pipeline and the approval gates; earlier ones are imported history. */
const GOVERNANCE_ADOPTED_DAY = 200;
/** The admin creates the pipeline's token a month before the first release through it. */
const TOKEN_CREATED_DAY = GOVERNANCE_ADOPTED_DAY - 30;

/** Day zero of the demo history: 30 days before the first of the four past quarters. */
export function demoDayZero(now: Date): number {
  return quarterRange(shiftQuarter(quarterOf(now), -4)).from.getTime() - 30 * DAY;
}

/**
 * Schedules the demo registry's history on the timeline: models, releases,
 * promotions through the gates, monitoring, incidents and the open reviews,
 * each at the date it happened. The pipeline token's creation and last use
 * agree with the versions it registered.
 */
export function seedDemoRegistry(timeline: SeedTimeline, orgId: number, actors: DemoActors, now = new Date()) {
  const dayZero = demoDayZero(now);
  const at = (day: number) => new Date(Math.min(dayZero + day * DAY, now.getTime() - 60_000));
  const lastDay = Math.floor((now.getTime() - dayZero) / DAY) - 1;
  const rand = seededRandom(20_261_125); // the demo is the same on every machine

  let pipeline: Actor | undefined;
  let lastPipelineUse = 0;
  /** A step done by the training pipeline through its API token. */
  const byPipeline = (when: Date, run: (token: Actor) => unknown) =>
    timeline.at(when, () => {
      lastPipelineUse = Math.max(lastPipelineUse, when.getTime());
      return run(pipeline!);
    });
  const tokenCreatedAt = at(TOKEN_CREATED_DAY);
  timeline.at(tokenCreatedAt, () => {
    const token = createApiToken(orgId, { name: "training-pipeline", scopes: ["registry:read", "registry:write"] }, actors.admin);
    pipeline = { type: "token", id: token.id, label: "token:training-pipeline" };
  });

  const lastVersionOf = new Map<string, string>();
  for (const demo of DEMO_MODELS) {
    const firstDay = (demo.firstProduction ?? 200) - 25;
    timeline.at(at(firstDay - 5), () => {
      createModel(orgId, { ...demo, description: `${demo.useCase}. Owned by ${demo.ownerTeam}.` }, actors.team, "ui", {
        now: at(firstDay - 5),
        ownerUserId: actors.ownerUserId,
      });
      if (demo.metric.name !== "mape") {
        setObjective(
          orgId,
          demo.slug,
          { metric: demo.metric.name, comparison: ">=", threshold: +(demo.metric.base - 0.03).toFixed(3) },
          actors.team,
        );
      }
      setObjective(orgId, demo.slug, { metric: "latency_p95_ms", comparison: "<=", threshold: 120 }, actors.team);
    });

    // Releases: the first at firstDay, then every `cadence` days until today.
    const releaseDays: number[] = [];
    for (let day = firstDay; day <= lastDay - 5; day += demo.cadence) releaseDays.push(day);
    let previous: string | undefined;
    /** [day it reached production (or was registered, before any reached production), version], in order. */
    const liveFrom: Array<[number, string]> = [];
    for (const [index, day] of releaseDays.entries()) {
      const version = `${1 + Math.floor(index / 3)}.${index % 3}.0`;
      const matured = day > GOVERNANCE_ADOPTED_DAY; // later releases come through the pipeline and the gates
      const metric = +(demo.metric.base + index * 0.01 + rand() * 0.01).toFixed(3);
      const input = {
        version,
        algorithm: demo.algorithm,
        framework: demo.framework,
        codeRef: `git:${(0x1000000 + Math.floor(rand() * 0xefffff)).toString(16)}`,
        trainingData: { ref: `s3://demo-lake/${demo.slug}/training`, version: `snapshot-${index + 1}` },
        hyperparameters: matured || index % 2 === 0 ? { learning_rate: 0.05, max_depth: 6 + index } : undefined,
        metrics: { [demo.metric.name]: metric },
        artifactUri: `s3://demo-models/${demo.slug}/${version}/model.bin`,
        parentVersion: previous,
      };
      if (matured) byPipeline(at(day), (token) => createVersion(orgId, demo.slug, input, token, "api", { now: at(day) }));
      else timeline.at(at(day), () => createVersion(orgId, demo.slug, input, actors.team, "ui", { now: at(day) }));
      previous = version;
      if (liveFrom.length === 0) liveFrom.push([day, version]);
      const isLast = index === releaseDays.length - 1;
      if (demo.firstProduction === null) {
        if (isLast && demo.finalStage === "validation") {
          timeline.at(at(day + 3), () =>
            transitionVersion(
              orgId,
              demo.slug,
              version,
              { to: "validation", reason: "Fairness review before any pilot" },
              actors.team,
              { mayPromote: false },
              { now: at(day + 3) },
            ),
          );
        }
        continue;
      }
      // Lead time from registration to production shrinks as the organisation matures.
      const leadDays = Math.max(2, Math.round(21 - day / 25));
      const steps: Array<["validation" | "staging" | "production", number]> = [
        ["validation", Math.round(leadDays / 3)],
        ["staging", Math.round((2 * leadDays) / 3)],
        ["production", leadDays],
      ];
      for (const [to, offset] of steps) {
        if (day + offset > lastDay) break;
        if (to === "production") liveFrom.push([day + offset + 1, version]);
        if (to === "production" && matured) {
          promoteThroughGates(timeline, orgId, demo, version, actors, at(day + offset - 1.5));
        } else {
          const when = at(day + offset);
          timeline.at(when, () =>
            transitionVersion(
              orgId,
              demo.slug,
              version,
              { to, reason: to === "production" ? "Release approved (before the portal)" : "" },
              to === "production" ? actors.leaderActor : actors.team,
              { mayPromote: true },
              { now: when, importedHistory: to === "production" },
            ),
          );
        }
      }
    }
    lastVersionOf.set(demo.slug, previous!);

    // Weekly monitoring of the production line for the last 26 weeks.
    if (demo.firstProduction !== null) {
      for (let week = 26; week >= 0; week--) {
        const day = lastDay - week * 7;
        if (day < (demo.firstProduction ?? 0) + 7) continue;
        const drift = week < 4 && demo.slug === "product-recommender" ? -0.05 : 0;
        const metrics = {
          [demo.metric.name]: +(demo.metric.base + 0.01 + drift + (rand() - 0.5) * 0.03).toFixed(3),
          latency_p95_ms: Math.round(60 + rand() * 50 + (week % 9 === 0 ? 45 : 0)),
          drift_score: +(0.05 + rand() * 0.1 + (drift ? 0.2 : 0)).toFixed(3),
        };
        // The version serving at the time (the first one registered, before any reached production).
        const version = liveFrom.filter(([from]) => from <= day).at(-1)?.[1] ?? liveFrom[0]![1];
        byPipeline(at(day), (token) =>
          recordMonitoringSnapshot(orgId, demo.slug, version, { observedAt: at(day), metrics }, token, { now: at(day) }),
        );
      }
    }
  }

  // Open work for the reviewer inbox.
  const byslug = (slug: string) => DEMO_MODELS.find((m) => m.slug === slug)!;
  byPipeline(at(lastDay - 4), (token) =>
    createVersion(
      orgId,
      "churn-predictor",
      {
        version: "3.0.0",
        algorithm: "Logistic regression",
        framework: "scikit-learn 1.5",
        codeRef: "git:9c41e07",
        trainingData: { ref: "s3://demo-lake/churn-predictor/training", version: "snapshot-q4" },
        hyperparameters: { C: 0.5 },
        metrics: { auc: 0.83 },
      },
      token,
      "api",
      { now: at(lastDay - 4) },
    ),
  );
  timeline.at(at(lastDay - 3), () =>
    transitionVersion(
      orgId,
      "churn-predictor",
      "3.0.0",
      { to: "validation" },
      actors.team,
      { mayPromote: false },
      { now: at(lastDay - 3) },
    ),
  );
  timeline.at(at(lastDay - 2), () =>
    transitionVersion(orgId, "churn-predictor", "3.0.0", { to: "staging" }, actors.team, { mayPromote: false }, { now: at(lastDay - 2) }),
  );
  seedPendingReviews(
    timeline,
    orgId,
    { model: byslug("resume-screener"), version: lastVersionOf.get("resume-screener")! },
    { model: byslug("churn-predictor"), version: "3.0.0" },
    actors,
    at(lastDay - 1.5),
  );

  for (const incident of DEMO_INCIDENTS) {
    if (incident.day > lastDay) continue;
    const started = at(incident.day);
    const detected = new Date(started.getTime() + incident.detectHours * 3_600_000);
    const recovered = incident.recoverHours === null ? undefined : new Date(detected.getTime() + incident.recoverHours * 3_600_000);
    // Not recovered yet if its recovery time has not come (the portal refuses times in the future).
    const resolved = recovered && recovered.getTime() < now.getTime() - 60_000 ? recovered : undefined;
    // Reported once resolved (or when detected, while open), against the version in production when it started.
    const reported = new Date(Math.min((resolved ?? detected).getTime(), now.getTime() - 60_000));
    timeline.at(reported, () => {
      const version = productionVersionAt(orgId, incident.slug, started);
      if (!version) return;
      createIncident(
        orgId,
        incident.slug,
        version,
        {
          title: incident.title,
          severity: incident.severity,
          startedAt: started,
          detectedAt: detected,
          resolvedAt: resolved,
          status: resolved ? "resolved" : "open",
          description: "Recorded by the on-call engineer; see the post-incident review for details.",
          reviewUrl: resolved ? `https://wiki.demo.local/pir/${incident.slug}-${incident.day}` : undefined,
        },
        actors.team,
        { now: reported },
      );
    });
  }

  // Once the history has played: the token's row says when it was made and last used.
  return {
    pipelineToken: () => ({
      id: pipeline?.type === "token" ? pipeline.id : null,
      createdAt: tokenCreatedAt,
      lastUsedAt: lastPipelineUse ? new Date(lastPipelineUse) : null,
    }),
  };
}

function productionVersionAt(orgId: number, slug: string, date: Date): string | null {
  const detail = getModelDetail(orgId, slug);
  if (!detail) return null;
  const intervals = detail.productionIntervals.map((i) => ({ ...i, from: new Date(i.from), to: i.to ? new Date(i.to) : null }));
  return productionVersionOn(intervals, date)?.version ?? null;
}
