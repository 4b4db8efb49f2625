import { describe, expect, it } from "vitest";
import { fieldErrors } from "../../utils/validation";
import { StatementResponseSchema } from "./assessment-schemas";
import {
  evidenceDatePath,
  FUTURE_EVIDENCE_MESSAGE,
  futureDatedEvidence,
  futureEvidenceRefusal,
  isFutureEvidenceDay,
  latestEvidenceDay,
} from "./evidence-dates";

const NOW = new Date("2026-06-15T10:00:00Z");

const framework = {
  components: [
    {
      id: "mlops",
      name: "MLOps Maturity",
      capabilities: [
        { id: "mlops.l2.1", level: 2, text: "Training runs are tracked" },
        { id: "mlops.l2.2", level: 2, text: "Models are versioned" },
      ],
    },
    { id: "lifecycle", name: "Model Lifecycle", capabilities: [{ id: "lifecycle.l3.1", level: 3, text: "Retirement is planned" }] },
  ],
} as unknown as Parameters<typeof futureDatedEvidence>[0];

describe("evidence dated after today (one rule for saving and finalising)", () => {
  it("allows today anywhere on Earth (the date in UTC+14), not later", () => {
    // 10:00 UTC is already midnight in UTC+14: 16 June has begun there.
    expect(latestEvidenceDay(NOW)).toBe("2026-06-16");
    expect(isFutureEvidenceDay("2026-06-15", NOW)).toBe(false);
    expect(isFutureEvidenceDay("2026-06-16", NOW)).toBe(false);
    expect(isFutureEvidenceDay("2026-06-17", NOW)).toBe(true);
    expect(isFutureEvidenceDay("2099-01-01", NOW)).toBe(true);
    expect(isFutureEvidenceDay("2020-01-01", NOW)).toBe(false);
    // Before 10:00 UTC it is still 15 June everywhere, so 16 June is the future.
    const early = new Date("2026-06-15T03:38:00Z");
    expect(latestEvidenceDay(early)).toBe("2026-06-15");
    expect(isFutureEvidenceDay("2026-06-16", early)).toBe(true);
  });

  it("is the rule the save check applies, with the same words", () => {
    const tomorrowPlusOne = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    expect(isFutureEvidenceDay(tomorrowPlusOne)).toBe(true);
    const saved = StatementResponseSchema.safeParse({ id: "s1", status: "in_place", evidence: { date: tomorrowPlusOne } });
    expect(saved.success ? undefined : fieldErrors(saved.error)["evidence.date"]).toBe(FUTURE_EVIDENCE_MESSAGE);
  });

  it("lists, in the framework's order, each statement whose stored evidence is dated after today", () => {
    const found = futureDatedEvidence(
      framework,
      {
        "lifecycle.l3.1": { evidence: { date: "2099-01-01" } },
        "mlops.l2.1": { evidence: { date: "2026-06-20" } },
        "mlops.l2.2": { evidence: { date: "2026-06-15" } },
        "gone.l2.1": { evidence: { date: "2099-01-01" } }, // not in the framework: nowhere to correct it
      },
      NOW,
    );
    expect(found).toEqual([
      {
        componentId: "mlops",
        componentName: "MLOps Maturity",
        statementId: "mlops.l2.1",
        statementText: "Training runs are tracked",
        date: "2026-06-20",
      },
      {
        componentId: "lifecycle",
        componentName: "Model Lifecycle",
        statementId: "lifecycle.l3.1",
        statementText: "Retirement is planned",
        date: "2099-01-01",
      },
    ]);
  });

  it("finds nothing without dates", () => {
    expect(futureDatedEvidence(framework, {}, NOW)).toEqual([]);
    expect(futureDatedEvidence(framework, { "mlops.l2.1": { evidence: { date: null } }, "mlops.l2.2": undefined }, NOW)).toEqual([]);
  });

  it("refuses naming how many, with one issue per statement at its evidence date", () => {
    const found = futureDatedEvidence(framework, { "mlops.l2.1": { evidence: { date: "2099-01-01" } } }, NOW);
    const refusal = futureEvidenceRefusal(found);
    expect(refusal.message).toBe(`${FUTURE_EVIDENCE_MESSAGE}: correct the evidence date of 1 statement before finalising`);
    expect(refusal.issues).toEqual([
      {
        path: evidenceDatePath("mlops.l2.1"),
        message: `${FUTURE_EVIDENCE_MESSAGE} (MLOps Maturity, “Training runs are tracked”: 2099-01-01)`,
      },
    ]);
    expect(evidenceDatePath("mlops.l2.1")).toBe("statements.mlops.l2.1.evidence.date");
    expect(futureEvidenceRefusal([...found, ...found]).message).toMatch(/of 2 statements before/);
  });
});
