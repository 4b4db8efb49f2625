import fs from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { assessments, biasAudits, memberships, modelCards, models, modelVersions, roadmapItems, roadmaps, users } from "../../../db/schema";
import { seedDemoOrganization } from "../../../db/seed";
import { createAssessment, finalizeAssessment, getAssessment, previousFinalized } from "../assessment/assessments.server";
import { saveResponses } from "../assessment/capture.server";
import type { Actor } from "../audit/audit.server";
import { getFramework } from "../framework/framework";
import { getBiasAudit, runBiasAudit, signOffBiasAudit } from "../governance/bias-audits.server";
import { BiasAuditConfigSchema } from "../governance/governance-schemas";
import { emptySections } from "../governance/model-card";
import { getCardForExport, saveModelCard } from "../governance/model-cards.server";
import { createModel, createVersion } from "../registry/registry.server";
import { generateRoadmapFromAssessment, getRoadmap, roadmapSummaryForAssessment } from "../roadmap/roadmaps.server";
import { assessmentBoardReport, assessmentWithdrawal } from "./assessment-report.server";
import { biasAuditCsv, biasAuditPdf } from "./bias-audit-export.server";
import { cardNotApplicable, modelCardPdf } from "./model-card-pdf.server";
import { roadmapExport, roadmapPdf } from "./roadmap-export.server";
import { workstreamLabel, workstreamsOfItems } from "../roadmap/workstreams";
import { parseCsv, pdfLayoutProblems, pdfLines, readPdfPages, type PdfPage } from "../../../tests/setup/readers";
import { insertTestOrg } from "../../../tests/setup/factories";

/**
 * Every PDF the portal makes, rendered from the demo organisation and from a
 * mid-size one (enough rows for several pages), read back with poppler's
 * pdftotext: no page holds only its footer, "Page n of N" is right on every
 * page, nothing lies outside the margins and no two words overprint.
 */

const LEADER: Actor = { type: "system", label: "leader@midsize.test" };
const TEAM: Actor = { type: "system", label: "team@midsize.test" };
const ETHICS: Actor = { type: "system", label: "ethics@midsize.test" };
const framework = getFramework();

/** Reads a PDF back and checks its layout; returns its pages for further checks. */
let dumped = 0;
function readChecked(pdf: Uint8Array): PdfPage[] {
  // PDF_DUMP_DIR=/some/dir keeps every PDF checked here, to look at (pdftoppm -png -r 60).
  if (process.env.PDF_DUMP_DIR) fs.writeFileSync(path.join(process.env.PDF_DUMP_DIR, `${++dumped}.pdf`), pdf);
  const pages = readPdfPages(pdf);
  expect(pdfLayoutProblems(pdf, pages)).toEqual([]);
  return pages;
}

describe("the demo organisation's PDFs", () => {
  let orgId = 0;
  beforeAll(async () => {
    orgId = (await seedDemoOrganization()).orgId;
  }, 120_000);

  it("board reports: an executive summary first, then the rest, without blank pages", async () => {
    const rows = getDb().select().from(assessments).where(eq(assessments.orgId, orgId)).all();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const a = getAssessment(orgId, row.id)!;
      const pdf = await assessmentBoardReport(
        "Demo Analytics Ltd",
        a,
        previousFinalized(orgId, a.period),
        roadmapSummaryForAssessment(orgId, a.id),
        assessmentWithdrawal(orgId, a.id),
      );
      const pages = readChecked(pdf);
      expect(pages.length).toBeGreaterThanOrEqual(2);
      expect(pages.length).toBeLessThanOrEqual(4);
      const first = pages[0]!.text;
      for (const word of ["Score", "Level", "Band", "Change since last quarter", "Components", a.score.levelName, a.score.band])
        expect(first).toContain(word);
      for (const c of framework.components) expect(first).toContain(c.name);
      const all = pages.map((p) => p.text).join(" ");
      for (const q of framework.questions) expect(all).toContain(`Q${q.number}: ${q.title}`);
    }
  });

  it("roadmaps", async () => {
    for (const { id } of getDb().select({ id: roadmaps.id }).from(roadmaps).where(eq(roadmaps.orgId, orgId)).all()) {
      const detail = getRoadmap(orgId, id)!;
      const pages = readChecked(await roadmapPdf("Demo Analytics Ltd", detail));
      expect(pages.length).toBeLessThanOrEqual(3);
      const words = new Set(pages.flatMap((p) => p.words.map((w) => w.text)));
      for (const item of detail.items) expect(words).toContain(item.dueDate);
      // The phases show every workstream the page shows, catch-up ones included.
      const text = pages
        .map((p) => p.text)
        .join(" ")
        .replace(/\s+/g, " ");
      for (const w of workstreamsOfItems(detail.items)) expect(text).toContain(workstreamLabel(w));
      // The items are numbered 1..N as listed: each row starts with its number and its title's first word.
      const lines = pages.flatMap(pdfLines);
      detail.items.forEach((item, n) => {
        expect(lines.some((line) => line.startsWith(`${n + 1} ${item.title.split(" ")[0]}`))).toBe(true);
      });
    }
  });

  it("model cards", async () => {
    const cards = getDb()
      .select({ id: modelCards.id, slug: models.slug, version: modelVersions.version })
      .from(modelCards)
      .innerJoin(modelVersions, eq(modelVersions.id, modelCards.versionId))
      .innerJoin(models, eq(models.id, modelVersions.modelId))
      .where(eq(modelCards.orgId, orgId))
      .all();
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) {
      const found = getCardForExport(orgId, card.slug, card.version);
      if (!found || found.card.id !== card.id) continue;
      const pages = readChecked(await modelCardPdf(found, cardNotApplicable(orgId, found.card.id)));
      expect(pages.length).toBeLessThanOrEqual(3);
      expect(pages[0]!.text).toContain(found.model.name);
    }
  });

  it("bias audits: one page each, metrics by their names", async () => {
    const audits = getDb().select({ id: biasAudits.id }).from(biasAudits).where(eq(biasAudits.orgId, orgId)).all();
    expect(audits.length).toBeGreaterThan(0);
    for (const { id } of audits) {
      const pages = readChecked(await biasAuditPdf(getBiasAudit(orgId, id)!));
      expect(pages).toHaveLength(1);
      expect(pages[0]!.text).toContain("Demographic parity difference");
      expect(pages[0]!.text).not.toMatch(/[a-z][A-Z][a-z]+Difference|selectionRate/);
    }
  });
});

/* ------------------------------------------------------------------------ */
/* A mid-size organisation                                                   */
/* ------------------------------------------------------------------------ */

const LONG_NOTE =
  "Reviewed with the platform team on 2026-03-12: the runbook, the on-call rota and the dashboards were walked through end to end, " +
  "including the escalation path for weekend incidents and the hand-over between the data science and operations teams. " +
  "Open points are tracked in the quarterly review; see https://wiki.example.org/platform/runbooks/production-model-operations-and-escalation-2026 for the full record.";

/** A finalised quarter with every statement answered, most with a long evidence note, after an earlier finalised quarter. */
function midSizeAssessment(orgId: number) {
  const statementIds = framework.components.flatMap((c) => c.capabilities.map((s) => ({ id: s.id, level: s.level })));
  const q1 = createAssessment(orgId, { period: "2025-Q1" }, LEADER);
  saveResponses(
    orgId,
    q1.id,
    {
      capabilities: statementIds.map(({ id, level }) => ({ id, status: level <= 2 ? ("in_place" as const) : ("none" as const) })),
      questions: [],
    },
    LEADER,
  );
  finalizeAssessment(
    orgId,
    q1.id,
    { justifications: Object.fromEntries(framework.components.map((c) => [c.id, "Agreed in review."])) },
    LEADER,
  );
  const q2 = createAssessment(orgId, { period: "2025-Q2" }, LEADER);
  saveResponses(
    orgId,
    q2.id,
    {
      capabilities: statementIds.map(({ id, level }, i) =>
        level <= 3
          ? {
              id,
              status: "in_place" as const,
              evidence: { note: `${LONG_NOTE} (${i})`, url: "https://evidence.example.org/reviews/2025/q2", date: "2025-06-20" },
            }
          : i % 7 === 0
            ? {
                id,
                status: "not_applicable" as const,
                reason: "We run no batch scoring at all; every model serves online requests behind the gateway.",
              }
            : { id, status: i % 2 ? ("partial" as const) : ("none" as const), evidence: { note: LONG_NOTE } },
      ),
      questions: framework.questions.map((q) => ({ id: q.id, level: 3, note: `${LONG_NOTE} Question ${q.number}.` })),
    },
    LEADER,
  );
  finalizeAssessment(orgId, q2.id, { justifications: Object.fromEntries(framework.components.map((c) => [c.id, LONG_NOTE])) }, LEADER);
  return q2.id;
}

/** A roadmap generated from the assessment, grown to 60 items with long titles and several owners. */
function midSizeRoadmap(orgId: number, assessmentId: number, ownerId: number) {
  const roadmapId = generateRoadmapFromAssessment(orgId, assessmentId, { startDate: "2025-07-01" }, LEADER);
  const generated = getRoadmap(orgId, roadmapId)!;
  const template = generated.items[0]!;
  const row = getDb().select().from(roadmapItems).where(eq(roadmapItems.id, template.id)).get()!;
  for (let i = generated.items.length; i < 60; i++) {
    const { id: _id, ...copy } = row;
    getDb()
      .insert(roadmapItems)
      .values({
        ...copy,
        itemKey: `extra-${i}`,
        title: `Extra work item ${i}: document, automate and hand over the ${i % 3 ? "monitoring" : "retraining and release"} procedure for every production model owned by the team`,
        workstreamTitle: i % 2 ? template.workstream : "Organisation-wide enablement of platform capabilities and shared tooling",
        dueDate: `2026-${String((i % 12) + 1).padStart(2, "0")}-${i % 2 ? "28" : "10"}`,
        priority: i + 1,
        ownerUserId: i % 3 ? ownerId : null,
        status: (["todo", "in_progress", "done", "blocked"] as const)[i % 4]!,
      })
      .run();
  }
  return roadmapId;
}

/** A high-risk model version with a long card (Markdown with emphasis, lists and links) and one section not applicable. */
function midSizeCard(orgId: number) {
  createModel(orgId, { name: "Résumé Screener", slug: "resume-screener", riskTier: "high" }, TEAM, "ui");
  createVersion(
    orgId,
    "resume-screener",
    { version: "2.0.0", codeRef: "git:abc", trainingData: { ref: "s3://cv" }, hyperparameters: { lr: 0.01 }, metrics: { ndcg: 0.58 } },
    TEAM,
    "ui",
  );
  const paragraph = (n: number) =>
    `Paragraph ${n}: the model is **trained weekly** on *anonymised* applications and checked against the [fairness guideline](https://policies.example.org/fairness) before release; ` +
    `reviewers read \`ndcg_at_10\` alongside the selection rates of every group, and escalate to <ethics@example.org> when a group falls behind. `.repeat(
      2,
    );
  const sections = emptySections();
  for (const [i, id] of Object.keys(sections).entries()) {
    sections[id as keyof typeof sections] = [
      `### ${id === "metrics" ? "Measures" : "Summary"}`,
      paragraph(i),
      "- **Bold** item with a [link](https://example.org/item)\n- *Italic* item that runs long enough to wrap onto a second line of the page without overprinting the next item\n- Third item",
      "1. First step\n2. Second step",
      paragraph(i + 100),
    ].join("\n\n");
  }
  sections.ethicalConsiderations = "";
  sections.caveatsAndRecommendations = [
    "# Caveats",
    "First line with a hard break  \nsecond line of the same paragraph.",
    "> Quoted advice from the **ethics committee**,\n> kept in italics.",
    "```\nthreshold: 0.42\nreview: weekly\n```",
    "| Group | Selection rate | Note |\n| --- | --: | --- |\n| under_40 | 43.8% | **watch** |\n| 40_plus | 37.7% | fine |",
    "- [x] Bias audit ~~pending~~ passed\n- [ ] Monitoring dashboard\n  - nested under the task",
    "---",
    "Last paragraph with <https://example.org/autolink> and a [javascript link](javascript:alert(1)).",
  ].join("\n\n");
  saveModelCard(orgId, "resume-screener", "2.0.0", sections, TEAM);
  const found = getCardForExport(orgId, "resume-screener", "2.0.0")!;
  getDb()
    .update(modelCards)
    .set({ notApplicable: JSON.stringify({ ethicalConsiderations: "The model only ranks; a recruiter reads every application." }) })
    .where(eq(modelCards.id, found.card.id))
    .run();
  return found;
}

/** A failed audit over 40 groups, accepted as a risk by ethics with a rationale; `options` go into its config. */
async function midSizeAudit(orgId: number, options: { referenceGroup?: string; minGroupSize?: number } = {}) {
  createModel(orgId, { name: "Credit Risk Scorer", slug: "credit-risk", riskTier: "limited" }, TEAM, "ui");
  createVersion(
    orgId,
    "credit-risk",
    { version: "1.0.0", codeRef: "git:1", trainingData: { ref: "s3://d" }, hyperparameters: { c: 1 }, metrics: { auc: 0.8 } },
    TEAM,
    "ui",
  );
  const rows: Array<Record<string, string | number>> = [];
  for (let g = 0; g < 40; g++) {
    const group = `region-${String(g).padStart(2, "0")}-${g % 2 ? "north-eastern-metropolitan-area" : "rural"}`;
    for (let r = 0; r < 40; r++) rows.push({ group, label: r % 2, prediction: r < 10 + (g % 9) * 2 ? 1 : 0 });
  }
  const config = BiasAuditConfigSchema.parse({
    groupColumns: ["group"],
    labelColumn: "label",
    positiveLabels: ["1"],
    predictionColumn: "prediction",
    positivePredictions: ["1"],
    ...options,
  });
  const audit = await runBiasAudit(orgId, "credit-risk", "1.0.0", config, { kind: "rows", rows }, TEAM, "test");
  expect(audit.passed).toBe(false);
  signOffBiasAudit(
    orgId,
    audit.id,
    { decision: "accept", comment: "Limited risk; a human reviews every declined application until the retrained model ships." },
    ETHICS,
  );
  return audit.id;
}

describe("a mid-size organisation's PDFs", () => {
  let orgId = 0;
  let assessmentId = 0;
  let roadmapId = 0;
  // Tests change the assessment and the roadmap's items: each gets a mid-size organisation of its own.
  beforeEach(() => {
    const org = insertTestOrg("midsize");
    orgId = org.id;
    const owner = getDb()
      .insert(users)
      .values({ email: `owner@${org.slug}.test`, name: "Olivia Owner-With-A-Long-Name", passwordHash: "x" })
      .returning()
      .get();
    getDb().insert(memberships).values({ orgId, userId: owner.id, role: "team" }).run();
    assessmentId = midSizeAssessment(orgId);
    roadmapId = midSizeRoadmap(orgId, assessmentId, owner.id);
  });

  const boardReport = () => {
    const a = getAssessment(orgId, assessmentId)!;
    return assessmentBoardReport(
      "Midsize Holdings plc",
      a,
      previousFinalized(orgId, a.period),
      roadmapSummaryForAssessment(orgId, a.id),
      assessmentWithdrawal(orgId, a.id),
    );
  };

  it("the board report spans several pages, with the summary on page 1 and the evidence notes in full", async () => {
    const pages = readChecked(await boardReport());
    // One page of them is the registry evidence rules, each with its window, source, figure and state.
    expect(pages).toHaveLength(16);
    const summary = pdfLines(pages[0]!);
    expect(summary).toContain("Score Level Band Change since last quarter");
    expect(summary).toContainEqual(expect.stringMatching(/^\d\.\d Level \d \w+ [+−±]\d\.\d$/));
    expect(summary).toContainEqual(expect.stringMatching(/from \d\.\d in 2025-Q1$/));
    expect(summary).toContain("Component Score Level Registry Flag");
    for (const c of framework.components)
      expect(summary).toContainEqual(expect.stringMatching(new RegExp(`^${c.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\d\\.\\d \\d`)));
    const all = pages.map((p) => p.text).join(" ");
    expect(all).toContain("Evidence behind the answers");
    expect(all).toContain("Registry evidence rules");
    // A URL wider than its column breaks after a separator, never elsewhere, and loses nothing.
    expect(all.replace(/\s+/g, "")).toContain("https://wiki.example.org/platform/runbooks/production-model-operations-and-escalation-2026");
    // Tables that continue on a new page repeat their header row.
    for (const page of pages.slice(pages.findIndex((p) => p.text.includes("Evidence behind the answers")) + 1))
      expect(pdfLines(page)[0]).toBe("Statement Answer Evidence");
  });

  /** Runs `check` while the assessment is withdrawn (as the withdraw action stores it), then restores it. */
  async function whileWithdrawn(reason: string, check: () => Promise<void>) {
    const withdraw = {
      status: "withdrawn" as const,
      withdrawnAt: new Date("2025-08-01T09:00:00Z"),
      withdrawnByLabel: "leader@midsize.test",
      withdrawnReason: reason,
    };
    getDb().update(assessments).set(withdraw).where(eq(assessments.id, assessmentId)).run();
    try {
      await check();
    } finally {
      getDb()
        .update(assessments)
        .set({ status: "finalized", withdrawnAt: null, withdrawnByLabel: null, withdrawnReason: null })
        .where(eq(assessments.id, assessmentId))
        .run();
    }
  }

  it("a withdrawn assessment says so on its first page, with who, when and why", () =>
    whileWithdrawn("Scored against the wrong framework version.", async () => {
      const pages = readChecked(await boardReport());
      expect(pages).toHaveLength(17);
      expect(pages[0]!.text).toContain("Withdrawn: this assessment no longer counts");
      expect(pages[0]!.text).toContain("Withdrawn by leader@midsize.test on 2025-08-01: Scored against the wrong framework version.");
    }));

  it("the roadmap of 60 items: whole dates, the header on every page of the table, a file name people recognise", async () => {
    const detail = getRoadmap(orgId, roadmapId)!;
    expect(detail.items).toHaveLength(60);
    const pages = readChecked(await roadmapPdf("Midsize Holdings plc", detail));
    expect(pages).toHaveLength(4);
    const words = pages.flatMap((p) => p.words.map((w) => w.text));
    for (const item of detail.items) expect(words).toContain(item.dueDate);
    const header = "# Item Workstream Due Status Owner";
    const itemsStart = pages.findIndex((p) => pdfLines(p).includes(header));
    expect(itemsStart).toBeGreaterThanOrEqual(0);
    expect(itemsStart).toBeLessThan(pages.length - 2);
    for (const page of pages.slice(itemsStart + 1)) expect(pdfLines(page)[0]).toBe(header);
    const response = await roadmapExport("pdf", { slug: "midsize", name: "Midsize Holdings plc" }, detail, "portal.test");
    expect(response.headers.get("content-disposition")).toMatch(
      /^inline; filename="Midsize Holdings plc roadmap level \d to \d - .+\.pdf"; filename\*=UTF-8''/,
    );
  });

  it("a superseded roadmap from a withdrawn assessment says both and counts closed items as not done", async () => {
    const detail = getRoadmap(orgId, roadmapId)!;
    const open = detail.items.filter((i) => i.status !== "done");
    const done = detail.items.length - open.length;
    for (const item of open)
      getDb().update(roadmapItems).set({ status: "closed", closedReason: "superseded" }).where(eq(roadmapItems.id, item.id)).run();
    await whileWithdrawn("Wrong framework.", async () => {
      // No newer roadmap replaced it here, so the superseded status is set on the detail.
      const superseded = { ...getRoadmap(orgId, roadmapId)!, status: "superseded" as const };
      const response = await roadmapExport("pdf", { id: orgId, slug: "midsize", name: "Midsize Holdings plc" }, superseded, "portal.test");
      const pages = readChecked(new Uint8Array(await response.arrayBuffer()));
      const first = pages[0]!.text;
      expect(first).toContain("Its source assessment was withdrawn");
      expect(first).toContain("withdrawn by leader@midsize.test on 2025-08-01: Wrong framework.");
      expect(first).toContain("Superseded");
      expect(first).toContain(`${done} of 60 items done, ${open.length} closed by supersession`);
    });
  });

  it("a long model card keeps bold, italics, lists and links, and shows sections not applicable", async () => {
    const found = midSizeCard(orgId);
    const notApplicable = cardNotApplicable(orgId, found.card.id);
    const pdf = await modelCardPdf(found, notApplicable);
    const pages = readChecked(pdf);
    expect(pages).toHaveLength(4);
    const all = pages.map((p) => p.text).join(" ");
    expect(all).toContain("Not applicable: The model only ranks; a recruiter reads every application.");
    expect(all).toContain("• Bold item with a link");
    expect(all).toContain("1. First step 2. Second step");
    expect(all).not.toMatch(/\*\*|\]\(|~~|javascript:/);
    const lines = pages.flatMap(pdfLines);
    for (const line of [
      "First line with a hard break",
      "second line of the same paragraph.",
      "threshold: 0.42",
      "review: weekly",
      "Group Selection rate Note",
      "under_40 43.8% watch",
      "[x] Bias audit pending passed",
      "[ ] Monitoring dashboard",
      "• nested under the task",
    ]) {
      expect(lines).toContain(line);
    }
    const raw = Buffer.from(pdf).toString("latin1");
    for (const uri of [
      "https://policies.example.org/fairness",
      "https://example.org/item",
      "mailto:ethics@example.org",
      "https://example.org/autolink",
    ])
      expect(raw).toContain(`/URI (${uri})`);
    for (const font of ["Helvetica-Bold", "Helvetica-Oblique", "Courier"]) expect(raw).toContain(`/BaseFont /${font}`);
  });

  it("a failed bias audit of 40 groups accepted as a risk shows the acceptance and its rationale", async () => {
    const id = await midSizeAudit(orgId);
    const pages = readChecked(await biasAuditPdf(getBiasAudit(orgId, id)!, "Credit Risk Scorer"));
    expect(pages).toHaveLength(2);
    const all = pages.map((p) => p.text).join(" ");
    expect(pages[0]!.text).toContain("Risk acceptance");
    expect(all).toMatch(
      /Failed — risk accepted by ethics@midsize\.test on \d{4}-\d{2}-\d{2}: Limited risk; a human reviews every declined application/,
    );
    expect(all).toContain("Selection rate");
    for (const page of pages.slice(1)) expect(pdfLines(page)[0]).toMatch(/^Group Rows Selection True False False Precision Impact ratio$/);
    const audit = getDb()
      .select()
      .from(biasAudits)
      .where(and(eq(biasAudits.orgId, orgId), eq(biasAudits.id, id)))
      .get()!;
    expect(audit.status).toBe("accepted");
  });

  it("a bias audit's exports carry its reference group, the ratio to it and the minimum group size, as its page does", async () => {
    const reference = "region-00-rural";
    const id = await midSizeAudit(orgId, { referenceGroup: reference, minGroupSize: 35 });
    const audit = getBiasAudit(orgId, id)!;
    const pages = readChecked(await biasAuditPdf(audit, "Credit Risk Scorer"));
    const all = pages.map((p) => p.text).join(" ");
    expect(all).toMatch(/Reference group\s+region-00-rural/);
    expect(all).toContain("ratios >= 0.8, differences <= 0.1; groups under 35 rows left out");
    expect(all).toContain(`${reference} (reference)`);
    expect(pdfLines(pages.at(-1)!)[0]).toMatch(/^Group Rows Selection True False False Precision Impact Selection ratio\b/);

    const [header, ...rows] = parseCsv(biasAuditCsv(audit));
    expect(header!.slice(-2)).toEqual(["selection_ratio_to_reference", "reference_group"]);
    const column = (name: string) => header!.indexOf(name);
    const referenceRow = rows.find((row) => row[0] === reference)!;
    expect(referenceRow[column("selection_ratio_to_reference")]).toBe("1");
    expect(referenceRow[column("reference_group")]).toBe("true");
    const other = rows.find((row) => row[0] !== reference)!;
    expect(Number(other[column("selection_ratio_to_reference")])).toBe(
      audit.groups.find((g) => g.group === other[0])!.ratioToReference!.selectionRate,
    );
    expect(other[column("reference_group")]).toBe("false");
  });
});
