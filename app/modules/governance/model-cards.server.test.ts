import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { getDb } from "../../../db/client";
import { auditEvents, modelCardComments, modelCards } from "../../../db/schema";
import { verifyAuditChain, type Actor } from "../audit/audit.server";
import { createModel, createVersion } from "../registry/registry.server";
import { gateChecksForVersion } from "./gates.server";
import { CARD_SECTIONS, CARD_SECTION_IDS } from "./governance-constants";
import {
  cardCompleteness,
  cardEditFromForm,
  diffCards,
  emptySections,
  ModelCardFormSchema,
  normalizeSections,
  type CardSections,
} from "./model-card";
import { cardToMarkdown } from "./model-card-markdown.server";
import {
  cardFingerprints,
  cardJson,
  commentOnCard,
  getCardForExport,
  getVersionCards,
  previousVersionCard,
  reviewModelCard,
  saveModelCard,
  submitModelCard,
} from "./model-cards.server";
import { catchDomainError as catchDomain } from "../../../tests/setup/domain-errors";
import { insertTestOrg } from "../../../tests/setup/factories";
import { writtenCardSections } from "../../../tests/setup/model-cards";

const TEAM: Actor = { type: "system", label: "team@cards.test" };
const ETHICS: Actor = { type: "system", label: "ethics@cards.test" };
const at = (iso: string) => new Date(iso);

const newOrg = () => insertTestOrg("cards").id;
let modelCounter = 0;
function newVersion(orgId: number, opts: { slug?: string; version?: string; tags?: string[] } = {}) {
  const slug = opts.slug ?? `card-model-${++modelCounter}`;
  if (!opts.slug)
    createModel(orgId, { name: `Card Model ${modelCounter}`, slug, riskTier: "limited", ownerTeam: "ml", tags: opts.tags }, TEAM, "ui");
  const version = opts.version ?? "1.0.0";
  const { version: row } = createVersion(
    orgId,
    slug,
    {
      version,
      framework: "sklearn",
      algorithm: "logreg",
      codeRef: "git:1",
      trainingData: { ref: "s3://d" },
      hyperparameters: { c: 1 },
      metrics: { auc: 0.8 },
    },
    TEAM,
    "ui",
  );
  return { slug, version, versionId: row.id };
}

const sections = (overrides: Partial<CardSections>): CardSections => ({ ...emptySections(), ...overrides });
const fullSections = (): CardSections => writtenCardSections();

const rows = (versionId: number) =>
  getDb().select().from(modelCards).where(eq(modelCards.versionId, versionId)).orderBy(modelCards.revision).all();
const cardEvents = (orgId: number, cardId: number) =>
  getDb()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.entityType, "model_card"), eq(auditEvents.entityId, String(cardId))))
    .orderBy(auditEvents.id)
    .all();

describe("model card lifecycle", () => {
  it("saving creates revision 1 as a draft", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const card = saveModelCard(orgId, v.slug, v.version, sections({ modelDetails: "Details" }), TEAM, { now: at("2026-03-01T10:00:00Z") });
    expect(card).toMatchObject({
      revision: 1,
      status: "draft",
      createdBy: TEAM.label,
      submittedAt: null,
      decidedAt: null,
      decidedBy: null,
    });
    expect(card.sections.modelDetails).toBe("Details");
    expect(card.createdAt).toBe("2026-03-01T10:00:00.000Z");
    expect(card.completeness).toMatchObject({ filled: 1, total: 10 });
    expect(rows(v.versionId)).toHaveLength(1);
    expect(cardEvents(orgId, card.id).map((e) => e.action)).toEqual(["model_card.created"]);
  });

  it("edits a draft in place", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const first = saveModelCard(orgId, v.slug, v.version, sections({ modelDetails: "One" }), TEAM);
    const second = saveModelCard(orgId, v.slug, v.version, sections({ modelDetails: "Two", intendedUse: "Use" }), TEAM);
    expect(second.id).toBe(first.id);
    expect(second.revision).toBe(1);
    expect(second.status).toBe("draft");
    expect(rows(v.versionId)).toHaveLength(1);
    expect(JSON.parse(rows(v.versionId)[0]!.sections)).toMatchObject({ modelDetails: "Two", intendedUse: "Use" });
    const events = cardEvents(orgId, first.id);
    expect(events.map((e) => e.action)).toEqual(["model_card.created", "model_card.updated"]);
    const payload = JSON.parse(events[1]!.payload);
    expect(payload.before.sections.modelDetails).toBe("One");
    expect(payload.after.sections.modelDetails).toBe("Two");
  });

  it("submit moves a draft to in review; a card under review cannot be edited or submitted again", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const card = saveModelCard(orgId, v.slug, v.version, sections({ modelDetails: "Details" }), TEAM);
    const submitted = submitModelCard(orgId, card.id, TEAM, { now: at("2026-03-02T00:00:00Z") });
    expect(submitted).toMatchObject({ id: card.id, status: "in_review", submittedAt: "2026-03-02T00:00:00.000Z" });

    const edit = catchDomain(() => saveModelCard(orgId, v.slug, v.version, sections({ modelDetails: "Sneaky" }), TEAM));
    expect(edit.code).toBe("conflict");
    expect(edit.message).toMatch(/under review/);
    expect(JSON.parse(rows(v.versionId)[0]!.sections).modelDetails).toBe("Details");
    expect(rows(v.versionId)).toHaveLength(1);

    expect(catchDomain(() => submitModelCard(orgId, card.id, TEAM)).code).toBe("conflict");
    expect(cardEvents(orgId, card.id).map((e) => e.action)).toEqual(["model_card.created", "model_card.submitted"]);
    // The trail holds the text that was submitted, whole (autosaves share one entry per run).
    const submittedEvent = JSON.parse(cardEvents(orgId, card.id)[1]!.payload) as { after: { sections: Record<string, string> } };
    expect(submittedEvent.after.sections.modelDetails).toBe("Details");
  });

  it("an empty card cannot be submitted", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const card = saveModelCard(orgId, v.slug, v.version, emptySections(), TEAM);
    const error = catchDomain(() => submitModelCard(orgId, card.id, TEAM));
    expect(error.code).toBe("invalid");
    expect(rows(v.versionId)[0]!.status).toBe("draft");
  });

  it("only a card in review can be reviewed", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const card = saveModelCard(orgId, v.slug, v.version, sections({ modelDetails: "x" }), TEAM);
    expect(catchDomain(() => reviewModelCard(orgId, card.id, { decision: "approve" }, ETHICS)).code).toBe("conflict");
  });

  it("approval records the reviewer; saving afterwards starts revision 2 and revision 1 stays approved and unchanged", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const card = saveModelCard(orgId, v.slug, v.version, fullSections(), TEAM);
    submitModelCard(orgId, card.id, TEAM);
    const approved = reviewModelCard(orgId, card.id, { decision: "approve", comment: "Good" }, ETHICS, { now: at("2026-03-05T00:00:00Z") });
    expect(approved).toMatchObject({
      status: "approved",
      decidedBy: ETHICS.label,
      decisionComment: "Good",
      decidedAt: "2026-03-05T00:00:00.000Z",
    });
    expect(gateChecksForVersion(v.versionId).find((c) => c.id === "model_card")!.passed).toBe(true);
    const revision1Before = rows(v.versionId)[0]!;

    const next = saveModelCard(orgId, v.slug, v.version, { ...fullSections(), modelDetails: "Revised details." }, TEAM);
    expect(next.id).not.toBe(card.id);
    expect(next).toMatchObject({ revision: 2, status: "draft" });
    const [r1, r2] = rows(v.versionId);
    expect(r1).toEqual(revision1Before);
    expect(r1!.status).toBe("approved");
    expect(JSON.parse(r1!.sections).modelDetails).toBe("Text of modelDetails.");
    expect(JSON.parse(r2!.sections).modelDetails).toBe("Revised details.");
    // The gate follows the latest revision: a new draft needs approval again.
    expect(gateChecksForVersion(v.versionId).find((c) => c.id === "model_card")!.passed).toBe(false);

    // Further saves edit revision 2 in place.
    const again = saveModelCard(orgId, v.slug, v.version, { ...fullSections(), modelDetails: "Revised twice." }, TEAM);
    expect(again.id).toBe(next.id);
    expect(rows(v.versionId)).toHaveLength(2);
    expect(rows(v.versionId)[0]).toEqual(revision1Before);

    const all = getVersionCards(orgId, v.versionId);
    expect(all.map((c) => [c.revision, c.status])).toEqual([
      [2, "draft"],
      [1, "approved"],
    ]);
    expect(
      diffCards(all[1]!.sections, all[0]!.sections)
        .filter((d) => d.changed)
        .map((d) => d.section),
    ).toEqual(["modelDetails"]);
    expect(cardEvents(orgId, next.id).map((e) => e.action)).toEqual(["model_card.created", "model_card.updated"]);
    expect(cardEvents(orgId, card.id).map((e) => e.action)).toEqual(["model_card.created", "model_card.submitted", "model_card.approved"]);
  });

  it("request_changes needs a comment; editing afterwards goes back to draft on the same revision", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const card = saveModelCard(orgId, v.slug, v.version, sections({ modelDetails: "Thin" }), TEAM);
    submitModelCard(orgId, card.id, TEAM);

    const noComment = catchDomain(() => reviewModelCard(orgId, card.id, { decision: "request_changes" }, ETHICS));
    expect(noComment.code).toBe("invalid");
    expect(noComment.field).toBe("comment");
    expect(rows(v.versionId)[0]!.status).toBe("in_review");

    const sentBack = reviewModelCard(orgId, card.id, { decision: "request_changes", comment: "Describe the factors" }, ETHICS);
    expect(sentBack).toMatchObject({ status: "changes_requested", decisionComment: "Describe the factors", decidedBy: ETHICS.label });
    // Cannot submit directly from changes_requested: edit first.
    expect(catchDomain(() => submitModelCard(orgId, card.id, TEAM)).code).toBe("conflict");

    const edited = saveModelCard(orgId, v.slug, v.version, { ...fullSections(), modelDetails: "Thin", factors: "Age and region" }, TEAM);
    expect(edited).toMatchObject({ id: card.id, revision: 1, status: "draft" });
    expect(rows(v.versionId)).toHaveLength(1);
    expect(submitModelCard(orgId, card.id, TEAM).status).toBe("in_review");
    expect(reviewModelCard(orgId, card.id, { decision: "approve" }, ETHICS).status).toBe("approved");
    expect(cardEvents(orgId, card.id).map((e) => e.action)).toEqual([
      "model_card.created",
      "model_card.submitted",
      "model_card.changes_requested",
      "model_card.updated",
      "model_card.submitted",
      "model_card.approved",
    ]);
  });

  it("keeps cards per organisation: another organisation cannot submit, review or comment", () => {
    const orgId = newOrg();
    const other = newOrg();
    const v = newVersion(orgId);
    const card = saveModelCard(orgId, v.slug, v.version, sections({ modelDetails: "x" }), TEAM);
    expect(catchDomain(() => submitModelCard(other, card.id, TEAM)).code).toBe("not_found");
    expect(catchDomain(() => reviewModelCard(other, card.id, { decision: "approve" }, ETHICS)).code).toBe("not_found");
    expect(catchDomain(() => commentOnCard(other, card.id, { section: "general", body: "hi" }, ETHICS)).code).toBe("not_found");
    expect(catchDomain(() => saveModelCard(other, v.slug, v.version, emptySections(), TEAM)).code).toBe("not_found");
    expect(getVersionCards(other, v.versionId)).toEqual([]);
  });
});

describe("previousVersionCard", () => {
  it("finds the newest card of the closest earlier version that has one", () => {
    const orgId = newOrg();
    const v1 = newVersion(orgId, { version: "1.0.0" });
    const v2 = newVersion(orgId, { slug: v1.slug, version: "1.1.0" });
    const v3 = newVersion(orgId, { slug: v1.slug, version: "2.0.0" });
    expect(previousVersionCard(orgId, v1.slug, "1.0.0")).toBeNull();
    expect(previousVersionCard(orgId, v1.slug, "2.0.0")).toBeNull();

    const c1 = saveModelCard(orgId, v1.slug, "1.0.0", { ...fullSections(), modelDetails: "v1 card" }, TEAM);
    submitModelCard(orgId, c1.id, TEAM);
    reviewModelCard(orgId, c1.id, { decision: "approve" }, ETHICS);
    saveModelCard(orgId, v1.slug, "1.0.0", sections({ modelDetails: "v1 card, revision 2" }), TEAM);

    // 1.1.0 has no card, so 2.0.0 starts from 1.0.0's newest revision.
    const found = previousVersionCard(orgId, v3.slug, "2.0.0");
    expect(found).toMatchObject({ version: "1.0.0", card: { revision: 2, status: "draft" } });
    expect(found!.card.sections.modelDetails).toBe("v1 card, revision 2");

    saveModelCard(orgId, v2.slug, "1.1.0", sections({ modelDetails: "v1.1 card" }), TEAM);
    expect(previousVersionCard(orgId, v3.slug, "2.0.0")).toMatchObject({
      version: "1.1.0",
      card: { sections: { modelDetails: "v1.1 card" } },
    });
    expect(previousVersionCard(orgId, v2.slug, "1.1.0")).toMatchObject({ version: "1.0.0" });
  });

  it("404s for an unknown version", () => {
    const orgId = newOrg();
    expect(catchDomain(() => previousVersionCard(orgId, "nope", "1.0.0")).code).toBe("not_found");
  });
});

describe("cardCompleteness and normalizeSections", () => {
  it("counts sections with text and lists the missing ones", () => {
    expect(cardCompleteness(emptySections())).toEqual({
      filled: 0,
      total: 10,
      share: 0,
      notApplicable: [],
      missing: [...CARD_SECTION_IDS],
      complete: false,
    });
    expect(cardCompleteness(fullSections())).toEqual({ filled: 10, total: 10, share: 1, notApplicable: [], missing: [], complete: true });
    const partial = cardCompleteness(sections({ modelDetails: "x", metrics: "  ", factors: "y" }));
    expect(partial.filled).toBe(2);
    expect(partial.share).toBeCloseTo(0.2);
    expect(partial.missing).toContain("metrics");
    expect(partial.missing).not.toContain("factors");
  });

  it("normalizes stored JSON: missing sections become empty, CRLF becomes LF, invalid input becomes empty", () => {
    expect(normalizeSections({ modelDetails: " a\r\nb " })).toEqual({ ...emptySections(), modelDetails: "a\nb" });
    expect(normalizeSections(null)).toEqual(emptySections());
    expect(normalizeSections({ modelDetails: 42 })).toEqual(emptySections());
  });
});

describe("cardToMarkdown", () => {
  const input = {
    model: { name: 'Churn: "predictor"', slug: "churn", riskTier: "high", ownerTeam: "growth", tags: ["churn", "b2c"] },
    version: { version: "1.2.0", framework: "xgboost", algorithm: "gbm", metrics: { auc: 0.81 } },
    card: {
      revision: 3,
      status: "approved",
      sections: { ...fullSections(), factors: "" },
      updatedAt: "2026-03-05T00:00:00.000Z",
      decidedBy: "ethics@x",
    },
  };

  it("starts with YAML front matter holding the metadata", () => {
    const md = cardToMarkdown(input);
    expect(md.startsWith("---\n")).toBe(true);
    const end = md.indexOf("\n---\n", 4);
    expect(end).toBeGreaterThan(0);
    const front = md.slice(4, end).split("\n");
    expect(front).toContain(`model_name: "Churn: \\"predictor\\""`);
    expect(front).toContain(`model_id: "churn@1.2.0"`);
    expect(front).toContain(`version: "1.2.0"`);
    expect(front).toContain(`library_name: "xgboost"`);
    expect(front).toContain("tags:");
    expect(front).toContain(`  - "churn"`);
    expect(front).toContain(`  - "b2c"`);
    expect(front).toContain(`risk_tier: "high"`);
    expect(front).toContain("card_revision: 3");
    expect(front).toContain(`card_status: "approved"`);
    expect(front).toContain(`approved_by: "ethics@x"`);
    expect(front).toContain("model-index:");
    expect(front).toContain(`          - type: "auc"`);
    expect(front).toContain("            value: 0.81");
  });

  it("names an approver only while the card stands approved: not for changes requested, nor a decision kept from an earlier revision", () => {
    for (const status of ["changes_requested", "in_review", "draft"] as const) {
      const md = cardToMarkdown({ ...input, card: { ...input.card, status } });
      expect(md.slice(0, md.indexOf("\n---\n", 4)), status).not.toContain("approved_by");
    }
  });

  it("has one level-2 heading per section, in order, with a placeholder for empty ones", () => {
    const md = cardToMarkdown(input);
    const body = md.slice(md.indexOf("\n---\n", 4) + 5);
    expect(body).toContain('# Model card: Churn: "predictor" 1.2.0');
    const headings = body.split("\n").filter((line) => line.startsWith("## "));
    expect(headings).toEqual(CARD_SECTIONS.map((s) => `## ${s.title}`));
    const factors = body.split("## Factors")[1]!.split("## ")[0]!;
    expect(factors.trim()).toBe("_Not provided._");
    expect(body).toContain("Text of modelDetails.");
  });

  it("writes an empty tag list as tags: [] and leaves out optional keys", () => {
    const md = cardToMarkdown({
      model: { ...input.model, tags: [] },
      version: { version: "0.1.0", framework: null, algorithm: null, metrics: {} },
      card: { revision: 1, status: "draft", sections: emptySections(), updatedAt: "2026-01-01T00:00:00.000Z" },
    });
    const front = md.slice(0, md.indexOf("\n---\n", 4));
    expect(front).toContain("\ntags: []\n");
    expect(front).not.toContain("library_name");
    expect(front).not.toContain("approved_by");
    expect(front).not.toContain("model-index");
    expect(front).toContain(`card_status: "draft"`);
  });

  it("works from a stored card via getCardForExport", () => {
    const orgId = newOrg();
    const v = newVersion(orgId, { tags: ["risk", "credit"] });
    expect(getCardForExport(orgId, v.slug, v.version)).toBeNull();
    saveModelCard(orgId, v.slug, v.version, fullSections(), TEAM);
    const found = getCardForExport(orgId, v.slug, v.version)!;
    const md = cardToMarkdown({ model: found.model, version: found.version, card: found.card });
    expect(md).toMatch(/^---\nmodel_name: "Card Model \d+"\n/);
    expect(md).toContain(`  - "credit"`);
    expect(md).toContain(`card_status: "draft"`);
    expect(md.split("\n").filter((l) => l.startsWith("## "))).toHaveLength(10);
    expect(getCardForExport(orgId, v.slug, "9.9.9")).toBeNull();
  });
});

describe("comments", () => {
  it("are kept per section and per revision, with an audit event each", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const card = saveModelCard(orgId, v.slug, v.version, { ...fullSections(), modelDetails: "x", metrics: "AUC" }, TEAM);
    submitModelCard(orgId, card.id, TEAM);
    commentOnCard(orgId, card.id, { section: "metrics", body: "Which threshold?" }, ETHICS);
    commentOnCard(orgId, card.id, { section: "metrics", body: "And calibration?" }, ETHICS);
    commentOnCard(orgId, card.id, { section: "general", body: "Nice start" }, TEAM);
    reviewModelCard(orgId, card.id, { decision: "approve" }, ETHICS);
    const revision2 = saveModelCard(orgId, v.slug, v.version, sections({ modelDetails: "y" }), TEAM);
    commentOnCard(orgId, revision2.id, { section: "modelDetails", body: "Better" }, ETHICS);

    const [r2, r1] = getVersionCards(orgId, v.versionId);
    expect(r1!.comments.map((c) => [c.section, c.body, c.author])).toEqual([
      ["metrics", "Which threshold?", ETHICS.label],
      ["metrics", "And calibration?", ETHICS.label],
      ["general", "Nice start", TEAM.label],
    ]);
    expect(r1!.comments.filter((c) => c.section === "metrics")).toHaveLength(2);
    expect(r2!.comments.map((c) => c.body)).toEqual(["Better"]);
    expect(getDb().select().from(modelCardComments).where(eq(modelCardComments.cardId, card.id)).all()).toHaveLength(3);
    expect(cardEvents(orgId, card.id).filter((e) => e.action === "model_card.commented")).toHaveLength(3);
    expect(verifyAuditChain(orgId).ok).toBe(true);
  });

  it("cardJson exposes the stored row", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const { conflicts, savedSections, ...card } = saveModelCard(orgId, v.slug, v.version, sections({ modelDetails: "x" }), TEAM);
    expect(conflicts).toEqual([]);
    expect(savedSections).toEqual(["modelDetails"]);
    expect(cardJson(rows(v.versionId)[0]!)).toEqual(card);
  });
});

const ALICE: Actor = { type: "user", id: 9001, label: "alice@cards.test" };
const BOB: Actor = { type: "user", id: 9002, label: "bob@cards.test" };

/** What an editor holds after loading a card: its versions and fingerprints. */
function editorLoad(orgId: number, versionId: number) {
  const card = getVersionCards(orgId, versionId)[0]!;
  return { baseVersions: card.sectionVersions, loaded: cardFingerprints(card), sections: card.sections, notApplicable: card.notApplicable };
}

describe("section versions and conflicts", () => {
  it("a save bumps the version of the sections it changed, and only those", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const first = saveModelCard(orgId, v.slug, v.version, sections({ modelDetails: "One", metrics: "AUC" }), TEAM);
    expect(first.sectionVersions).toMatchObject({ modelDetails: 1, metrics: 1, factors: 0 });
    const loaded = editorLoad(orgId, v.versionId);
    const second = saveModelCard(
      orgId,
      v.slug,
      v.version,
      { ...loaded, sections: { ...loaded.sections, metrics: "AUC and recall" } },
      TEAM,
    );
    expect(second.sectionVersions).toMatchObject({ modelDetails: 1, metrics: 2, factors: 0 });
    expect(second.conflicts).toEqual([]);
  });

  it("refuses a stale save of a section someone else saved, shows both versions, and still saves the other sections", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    saveModelCard(orgId, v.slug, v.version, sections({ modelDetails: "Base details", metrics: "Base metrics" }), ALICE);
    const aliceLoad = editorLoad(orgId, v.versionId);
    const bobLoad = editorLoad(orgId, v.versionId);

    saveModelCard(orgId, v.slug, v.version, { ...bobLoad, sections: { ...bobLoad.sections, metrics: "Bob's metrics" } }, BOB);
    const alice = saveModelCard(
      orgId,
      v.slug,
      v.version,
      { ...aliceLoad, sections: { ...aliceLoad.sections, metrics: "Alice's metrics", factors: "Alice's factors" } },
      ALICE,
    );

    expect(alice.conflicts).toEqual([
      {
        section: "metrics",
        title: "Metrics",
        theirs: expect.objectContaining({ text: "Bob's metrics", notApplicable: "", version: 2, savedBy: BOB.label }),
        yours: { text: "Alice's metrics", notApplicable: "" },
      },
    ]);
    expect(alice.sections).toMatchObject({ metrics: "Bob's metrics", factors: "Alice's factors", modelDetails: "Base details" });
    expect(alice.sectionVersions).toMatchObject({ metrics: 2, factors: 1 });

    // "Keep mine": save again against their version.
    const kept = saveModelCard(
      orgId,
      v.slug,
      v.version,
      {
        ...aliceLoad,
        baseVersions: { ...alice.sectionVersions },
        loaded: cardFingerprints(alice),
        sections: { ...alice.sections, metrics: "Alice's metrics" },
      },
      ALICE,
    );
    expect(kept.conflicts).toEqual([]);
    expect(kept.sections.metrics).toBe("Alice's metrics");
    expect(kept.sectionVersions.metrics).toBe(3);
  });

  it("a section the editor only had an older copy of is not a conflict: what is stored stays", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    saveModelCard(orgId, v.slug, v.version, sections({ modelDetails: "Base", metrics: "Base" }), ALICE);
    const aliceLoad = editorLoad(orgId, v.versionId);
    const bobLoad = editorLoad(orgId, v.versionId);
    saveModelCard(orgId, v.slug, v.version, { ...bobLoad, sections: { ...bobLoad.sections, metrics: "Bob's metrics" } }, BOB);
    const alice = saveModelCard(
      orgId,
      v.slug,
      v.version,
      { ...aliceLoad, sections: { ...aliceLoad.sections, modelDetails: "Alice's details" } },
      ALICE,
    );
    expect(alice.conflicts).toEqual([]);
    expect(alice.sections).toMatchObject({ modelDetails: "Alice's details", metrics: "Bob's metrics" });
  });

  it("'take theirs' leaves the stored section as it is", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    saveModelCard(orgId, v.slug, v.version, sections({ metrics: "Base" }), ALICE);
    const aliceLoad = editorLoad(orgId, v.versionId);
    saveModelCard(orgId, v.slug, v.version, { ...editorLoad(orgId, v.versionId), sections: sections({ metrics: "Bob's" }) }, BOB);
    const alice = saveModelCard(
      orgId,
      v.slug,
      v.version,
      { ...aliceLoad, sections: sections({ metrics: "Alice's" }), keepSaved: ["metrics"] },
      ALICE,
    );
    expect(alice.conflicts).toEqual([]);
    expect(alice.sections.metrics).toBe("Bob's");
  });

  it("saves without version information (API, seed) overwrite as before", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    saveModelCard(orgId, v.slug, v.version, sections({ metrics: "One" }), ALICE);
    const second = saveModelCard(orgId, v.slug, v.version, sections({ metrics: "Two" }), BOB);
    expect(second).toMatchObject({ conflicts: [], sections: { metrics: "Two" } });
  });

  it("autosaving an approved card starts one new revision, then edits go to it", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const card = saveModelCard(orgId, v.slug, v.version, fullSections(), TEAM);
    submitModelCard(orgId, card.id, TEAM);
    reviewModelCard(orgId, card.id, { decision: "approve" }, ETHICS);
    const loaded = editorLoad(orgId, v.versionId);
    // A save without changes (e.g. leaving a field) starts nothing.
    expect(saveModelCard(orgId, v.slug, v.version, loaded, TEAM)).toMatchObject({ id: card.id, revision: 1, status: "approved" });
    let latest = card.id;
    for (const text of ["R", "Re", "Rev", "Revised"]) {
      const saved = saveModelCard(
        orgId,
        v.slug,
        v.version,
        {
          ...loaded,
          baseVersions: getVersionCards(orgId, v.versionId)[0]!.sectionVersions,
          sections: { ...loaded.sections, metrics: text },
        },
        TEAM,
      );
      expect(saved.conflicts).toEqual([]);
      latest = saved.id;
    }
    expect(rows(v.versionId).map((r) => [r.revision, r.status])).toEqual([
      [1, "approved"],
      [2, "draft"],
    ]);
    expect(getVersionCards(orgId, v.versionId)[0]!.sections.metrics).toBe("Revised");
    // Even the editor's original (revision 1) versions still match: the new revision carries them over.
    expect(saveModelCard(orgId, v.slug, v.version, { ...loaded, sections: { ...loaded.sections, factors: "More" } }, TEAM).id).toBe(latest);
  });

  it("consecutive autosaves by one person within 15 minutes are one audit entry; another person's save and an explicit save are their own", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const t0 = Date.now();
    const saveAt = (minutes: number, text: string, actor: Actor, autosave = true) => {
      vi.setSystemTime(t0 + minutes * 60_000);
      return saveModelCard(orgId, v.slug, v.version, sections({ metrics: text }), actor, { autosave });
    };
    vi.useFakeTimers({ toFake: ["Date"] });
    let card;
    try {
      card = saveAt(0, "a", ALICE);
      saveAt(1, "ab", ALICE);
      saveAt(2, "abc", ALICE);
      saveAt(3, "abcd", ALICE);
      saveAt(4, "abcde", BOB);
      saveAt(20, "abcdef", BOB);
      saveAt(21, "abcdefg", BOB, false);
    } finally {
      vi.useRealTimers();
    }
    expect(cardEvents(orgId, card.id).map((e) => [e.action, e.actorLabel])).toEqual([
      ["model_card.created", ALICE.label],
      ["model_card.updated", ALICE.label],
      ["model_card.updated", BOB.label],
      ["model_card.updated", BOB.label],
      ["model_card.updated", BOB.label],
    ]);
    submitModelCard(orgId, card.id, ALICE);
    const submitted = cardEvents(orgId, card.id).at(-1)!;
    expect(JSON.parse(submitted.payload).after.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyAuditChain(orgId).ok).toBe(true);
  });

  it("the editor form carries sections, reasons, versions and fingerprints", () => {
    const parsed = ModelCardFormSchema.parse({
      metrics: " AUC\r\n ",
      na_factors: " No people involved ",
      na_metrics: "",
      base_metrics: "3",
      loaded_metrics: "abc",
      take: "factors",
    });
    expect(cardEditFromForm(parsed)).toEqual({
      sections: { ...emptySections(), metrics: "AUC" },
      notApplicable: { factors: "No people involved" },
      baseVersions: { metrics: 3 },
      loaded: { metrics: "abc" },
      keepSaved: ["factors"],
    });
  });
});

describe("sections marked not applicable", () => {
  it("count as dealt with, are stored with their reason, shown in the Markdown export, and can be unmarked", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const { factors: _f, ...others } = fullSections();
    const card = saveModelCard(
      orgId,
      v.slug,
      v.version,
      { sections: { ...others, factors: "" }, notApplicable: { factors: "The model scores machines, not people." } },
      TEAM,
    );
    expect(card.notApplicable).toEqual({ factors: "The model scores machines, not people." });
    expect(card.completeness).toMatchObject({ filled: 9, notApplicable: ["factors"], missing: [], complete: true });
    const found = getCardForExport(orgId, v.slug, v.version)!;
    const md = cardToMarkdown({ model: found.model, version: found.version, card: found.card });
    expect(md).toContain("## Factors\n\n*Not applicable:* The model scores machines, not people.");

    const unmarked = saveModelCard(orgId, v.slug, v.version, { sections: { ...others, factors: "" }, notApplicable: {} }, TEAM);
    expect(unmarked.notApplicable).toEqual({});
    expect(unmarked.completeness).toMatchObject({ missing: ["factors"], complete: false });
  });

  it("a section marked not applicable counts as not applicable even with text left in it", () => {
    const result = cardCompleteness(fullSections(), { metrics: "Nothing is measured" });
    expect(result).toMatchObject({ filled: 9, notApplicable: ["metrics"], missing: [], complete: true });
    expect(cardCompleteness(sections({ metrics: "x" }), { metrics: "   " }).notApplicable).toEqual([]);
  });
});

describe("review decisions", () => {
  it("approving needs every section written or marked not applicable; the refusal names the missing sections", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const card = saveModelCard(orgId, v.slug, v.version, { ...fullSections(), factors: "", ethicalConsiderations: "", metrics: "" }, TEAM);
    submitModelCard(orgId, card.id, TEAM);
    const refused = catchDomain(() => reviewModelCard(orgId, card.id, { decision: "approve", comment: "Fine" }, ETHICS));
    expect(refused.code).toBe("invalid");
    expect(refused.field).toBe("decision");
    expect(refused.message).toContain(
      "3 sections are neither written nor marked not applicable: Factors, Metrics and Ethical considerations",
    );
    expect(rows(v.versionId)[0]!.status).toBe("in_review");

    const sentBack = reviewModelCard(orgId, card.id, { decision: "request_changes", comment: "Write the missing sections" }, ETHICS);
    expect(sentBack.status).toBe("changes_requested");
    saveModelCard(
      orgId,
      v.slug,
      v.version,
      { sections: { ...fullSections(), factors: "" }, notApplicable: { factors: "No groups of people are affected." } },
      TEAM,
    );
    submitModelCard(orgId, card.id, TEAM);
    expect(reviewModelCard(orgId, card.id, { decision: "approve" }, ETHICS).status).toBe("approved");
    const approvedEvent = cardEvents(orgId, card.id).at(-1)!;
    expect(approvedEvent.action).toBe("model_card.approved");
    expect(JSON.parse(approvedEvent.payload).after.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("requesting changes needs a comment and changes nothing without one", () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const card = saveModelCard(orgId, v.slug, v.version, fullSections(), TEAM);
    submitModelCard(orgId, card.id, TEAM);
    const refused = catchDomain(() => reviewModelCard(orgId, card.id, { decision: "request_changes", comment: undefined }, ETHICS));
    expect(refused).toMatchObject({ code: "invalid", field: "comment" });
    expect(rows(v.versionId)[0]!.status).toBe("in_review");
  });
});
