import type { Actor } from "../app/modules/audit/audit.server";
import type { Role } from "../app/modules/auth/roles";
import { decideApprovalRequest, openApprovalRequest } from "../app/modules/governance/approvals.server";
import { runBiasAudit, signOffBiasAudit } from "../app/modules/governance/bias-audits.server";
import type { CardSections } from "../app/modules/governance/model-card";
import { reviewModelCard, saveModelCard, submitModelCard } from "../app/modules/governance/model-cards.server";
import type { RiskTier } from "../app/modules/registry/registry-constants";
import type { SeedTimeline } from "./seed-timeline";

/** Demo governance: cards, audits on synthetic predictions, and promotions through the approval gates. */

export type GovernanceActors = {
  team: Actor;
  ethics: { userId: number; label: string; role: Role };
  leader: { userId: number; label: string; role: Role };
};

type DemoModelInfo = {
  slug: string;
  name: string;
  useCase: string;
  ownerTeam: string;
  businessOwner: string;
  algorithm: string;
  framework: string;
  riskTier: RiskTier;
};

export function demoCardSections(model: DemoModelInfo, version: string, complete = true): CardSections {
  return {
    modelDetails: `**${model.name}** version ${version}, built by ${model.ownerTeam}. Model type: ${model.algorithm} (${model.framework}). Contact: ${model.businessOwner}.`,
    intendedUse: `${model.useCase}. Outputs support people's decisions; they do not replace them.`,
    outOfScopeUses: "- Fully automated decisions without human review\n- Any population or market it was not trained on",
    factors: "Evaluated across age bands and regions; intersectional groups with at least 30 people are reported.",
    metrics: "Primary metric tracked in the registry; monitored weekly against service-level objectives.",
    evaluationData: "Held-out data from the most recent quarter, drawn from the same pipeline as production inputs.",
    trainingData: "Internal historical records covering the last 24 months; see the registered training data reference.",
    quantitativeAnalyses: complete ? "Per-group rates and disparities are in the linked bias audit." : "",
    ethicalConsiderations: complete ? "Personal data is pseudonymised; outcomes are reviewed for disparate impact every release." : "",
    caveatsAndRecommendations: complete ? "Re-validate after any change of input schema or market conditions." : "",
  };
}

/** Deterministic predictions for two age bands; `gap` lowers the second band's selection rate. */
export function syntheticPredictions(seed: number, gap: number, n = 1200) {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  return Array.from({ length: n }, (_, i) => {
    const band = i % 2 === 0 ? "under_40" : "40_plus";
    const label = random() < 0.35 ? 1 : 0;
    const correct = random() < 0.82;
    let predicted = correct ? label : 1 - label;
    if (band === "40_plus" && predicted === 1 && random() < gap) predicted = 0;
    return { age_band: band, outcome: label, predicted };
  });
}

export const DEMO_AUDIT_CONFIG = {
  groupColumns: ["age_band"],
  labelColumn: "outcome",
  positiveLabels: ["1"],
  predictionColumn: "predicted",
  positivePredictions: ["1"],
  minGroupSize: 30,
};

/** Card approved, audit accepted (where the tier needs one), request opened and approved: the version is promoted. Each step at its hour. */
export function promoteThroughGates(
  timeline: SeedTimeline,
  orgId: number,
  model: DemoModelInfo,
  version: string,
  actors: GovernanceActors,
  startsAt: Date,
) {
  const at = (hours: number) => new Date(startsAt.getTime() + hours * 3_600_000);
  const step = (hours: number, run: (when: Date) => unknown) => timeline.at(at(hours), () => run(at(hours)));
  const ids = { card: 0, audit: 0, request: 0 };
  step(0, (now) => (ids.card = saveModelCard(orgId, model.slug, version, demoCardSections(model, version), actors.team, { now }).id));
  step(1, (now) => submitModelCard(orgId, ids.card, actors.team, { now }));
  if (model.riskTier !== "minimal") {
    step(2, async (now) => {
      ids.audit = (
        await runBiasAudit(
          orgId,
          model.slug,
          version,
          DEMO_AUDIT_CONFIG,
          { kind: "rows", rows: syntheticPredictions(version.length * 97 + model.slug.length, 0.02) },
          actors.team,
          "seed",
          { now },
        )
      ).id;
    });
  }
  step(18, (now) =>
    reviewModelCard(orgId, ids.card, { decision: "approve", comment: "Clear and complete." }, actorOf(actors.ethics), { now }),
  );
  if (model.riskTier !== "minimal") {
    step(20, (now) =>
      signOffBiasAudit(orgId, ids.audit, { decision: "accept", comment: "Disparities within thresholds." }, actorOf(actors.ethics), {
        now,
      }),
    );
  }
  step(
    22,
    (now) => (ids.request = openApprovalRequest(orgId, model.slug, version, { reason: "Scheduled release" }, actors.team, { now }).id),
  );
  step(26, (now) => decideApprovalRequest(orgId, ids.request, { decision: "approve", comment: "Gates pass." }, actors.ethics, { now }));
  if (model.riskTier === "high") {
    step(30, (now) =>
      decideApprovalRequest(orgId, ids.request, { decision: "approve", comment: "Business sign-off." }, actors.leader, { now }),
    );
  }
}

export function actorOf(approver: { userId: number; label: string }): Actor {
  return { type: "user", id: approver.userId, label: approver.label };
}

/** Work in progress for the reviewer inbox: a card in review, an audit to sign off and an open promotion request. */
export function seedPendingReviews(
  timeline: SeedTimeline,
  orgId: number,
  inReview: { model: DemoModelInfo; version: string },
  awaitingApproval: { model: DemoModelInfo; version: string },
  actors: GovernanceActors,
  startsAt: Date,
) {
  const at = (hours: number) => new Date(startsAt.getTime() + hours * 3_600_000);
  const step = (hours: number, run: (when: Date) => unknown) => timeline.at(at(hours), () => run(at(hours)));
  const ids = { draft: 0, card: 0, audit: 0 };
  step(
    0,
    (now) =>
      (ids.draft = saveModelCard(
        orgId,
        inReview.model.slug,
        inReview.version,
        demoCardSections(inReview.model, inReview.version, false),
        actors.team,
        { now },
      ).id),
  );
  step(2, (now) => submitModelCard(orgId, ids.draft, actors.team, { now }));
  step(3, (now) =>
    runBiasAudit(
      orgId,
      inReview.model.slug,
      inReview.version,
      DEMO_AUDIT_CONFIG,
      { kind: "rows", rows: syntheticPredictions(77, 0.45) },
      actors.team,
      "seed",
      { now },
    ),
  );

  const { model, version } = awaitingApproval;
  step(4, (now) => (ids.card = saveModelCard(orgId, model.slug, version, demoCardSections(model, version), actors.team, { now }).id));
  step(5, (now) => submitModelCard(orgId, ids.card, actors.team, { now }));
  step(8, (now) => reviewModelCard(orgId, ids.card, { decision: "approve" }, actorOf(actors.ethics), { now }));
  step(9, async (now) => {
    ids.audit = (
      await runBiasAudit(
        orgId,
        model.slug,
        version,
        DEMO_AUDIT_CONFIG,
        { kind: "rows", rows: syntheticPredictions(91, 0.01) },
        actors.team,
        "seed",
        { now },
      )
    ).id;
  });
  step(12, (now) => signOffBiasAudit(orgId, ids.audit, { decision: "accept" }, actorOf(actors.ethics), { now }));
  step(14, (now) => openApprovalRequest(orgId, model.slug, version, { reason: "Retrained on the latest quarter" }, actors.team, { now }));
}
