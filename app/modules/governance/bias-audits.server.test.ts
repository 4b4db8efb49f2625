import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { auditEvents, biasAudits, memberships, users } from "../../../db/schema";
import { verifyAuditChain, type Actor } from "../audit/audit.server";
import { computeRegistryMetrics } from "../registry/metrics.server";
import type { RiskTier } from "../registry/registry-constants";
import { createModel, createVersion } from "../registry/registry.server";
import { transitionVersion } from "../governance/transitions.server";
import { cancelApprovalRequest, decideApprovalRequest, openApprovalRequest } from "./approvals.server";
import {
  BIAS_AUDIT_RUNNERS,
  computeFairness,
  getBiasAudit,
  getFairnessSettings,
  listVersionBiasAudits,
  runBiasAudit,
  signOffBiasAudit,
  updateFairnessSettings,
  type PredictionSource,
} from "./bias-audits.server";
import { gateChecksForVersion } from "./gates.server";
import { BiasAuditConfigSchema, type BiasAuditConfig } from "./governance-schemas";
import { reviewModelCard, saveModelCard, submitModelCard } from "./model-cards.server";
import { fileStream } from "../../utils/upload.server";
import { catchDomainErrorAsync as catchDomainAsync, catchDomainError as catchDomain } from "../../../tests/setup/domain-errors";
import { insertTestOrg } from "../../../tests/setup/factories";
import { writtenCardSections } from "../../../tests/setup/model-cards";

const TEAM: Actor = { type: "system", label: "team@audits.test" };
const ETHICS: Actor = { type: "system", label: "ethics@audits.test" };
const DAY = 86_400_000;
const LINEAGE = { codeRef: "git:1", trainingData: { ref: "s3://d" }, hyperparameters: { c: 1 }, metrics: { auc: 0.8 } };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bias-audit-test-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const newOrg = () => insertTestOrg("audits").id;
let modelCounter = 0;
function newVersion(orgId: number, riskTier: RiskTier = "high", stage: "development" | "staging" = "development") {
  const slug = `audit-model-${++modelCounter}`;
  createModel(orgId, { name: slug, slug, riskTier }, TEAM, "ui");
  const { version } = createVersion(orgId, slug, { version: "1.0.0", stage, ...LINEAGE }, TEAM, "ui");
  return { slug, version: "1.0.0", versionId: version.id };
}

const config = (input: Record<string, unknown>): BiasAuditConfig => BiasAuditConfigSchema.parse(input);
const PREDICTION_CONFIG = config({
  groupColumns: ["group"],
  labelColumn: "label",
  positiveLabels: ["1"],
  predictionColumn: "prediction",
  positivePredictions: ["1"],
  minGroupSize: 1,
});

type Row = Record<string, string | number | boolean | null>;
/** Rows of one group with the given confusion counts. */
function groupRows(group: string, c: { tp: number; fn: number; fp: number; tn: number }, extra: Row = {}): Row[] {
  const make = (n: number, label: number, prediction: number) => Array.from({ length: n }, () => ({ group, label, prediction, ...extra }));
  return [...make(c.tp, 1, 1), ...make(c.fn, 1, 0), ...make(c.fp, 0, 1), ...make(c.tn, 0, 0)];
}

/**
 * Hand-computed:
 *   a: tp 4, fn 1, fp 1, tn 4 → selection 5/10 = 0.5, TPR 4/5 = 0.8, FPR 1/5 = 0.2, FNR 0.2
 *   b: tp 3, fn 2, fp 1, tn 4 → selection 4/10 = 0.4, TPR 3/5 = 0.6, FPR 1/5 = 0.2, FNR 0.4
 *   demographic parity difference 0.1 (a − b), ratio 0.8; equal opportunity difference 0.2;
 *   FPR difference 0; equalized odds difference 0.2.
 * Under the default thresholds (ratio ≥ 0.8, differences ≤ 0.1) equal opportunity fails.
 */
const SECRET = "SSN-123-45-6789";
const SMALL_ROWS: Row[] = [
  ...groupRows("a", { tp: 4, fn: 1, fp: 1, tn: 4 }, { ssn: SECRET }),
  ...groupRows("b", { tp: 3, fn: 2, fp: 1, tn: 4 }, { ssn: SECRET }),
];
const rowsSource = (rows: Row[]): PredictionSource => ({ kind: "rows", rows });

const storedRow = (id: number) => getDb().select().from(biasAudits).where(eq(biasAudits.id, id)).get()!;
const biasAuditGate = (versionId: number, now?: Date) => gateChecksForVersion(versionId, now).find((c) => c.id === "bias_audit")!;

function writeCsv(name: string, lines: string[]): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

describe("runBiasAudit with JSON rows", () => {
  it("computes per-group counts, rates and disparities by hand", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const audit = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(SMALL_ROWS), TEAM, "test-json");
    expect(audit).toMatchObject({
      model: v.slug,
      version: "1.0.0",
      status: "pending",
      preset: "org-default",
      rows: 20,
      skipped: 0,
      source: "test-json",
      fileName: null,
    });
    expect(audit.thresholds).toEqual({ ratioMin: 0.8, differenceMax: 0.1 });
    expect(audit.overall).toMatchObject({ n: 20, tp: 7, fn: 3, fp: 2, tn: 8, selectionRate: 9 / 20, baseRate: 10 / 20 });

    const [a, b] = audit.groups;
    expect(a).toMatchObject({
      group: "a",
      n: 10,
      tp: 4,
      fn: 1,
      fp: 1,
      tn: 4,
      positives: 5,
      predictedPositives: 5,
      includedInDisparities: true,
    });
    expect(a!.selectionRate).toBeCloseTo(0.5);
    expect(a!.truePositiveRate).toBeCloseTo(0.8);
    expect(a!.falsePositiveRate).toBeCloseTo(0.2);
    expect(a!.falseNegativeRate).toBeCloseTo(0.2);
    expect(a!.share).toBeCloseTo(0.5);
    expect(b).toMatchObject({ group: "b", n: 10, tp: 3, fn: 2, fp: 1, tn: 4 });
    expect(b!.selectionRate).toBeCloseTo(0.4);
    expect(b!.truePositiveRate).toBeCloseTo(0.6);
    expect(b!.falseNegativeRate).toBeCloseTo(0.4);
    expect(b!.impactRatio).toBeCloseTo(0.8);

    const d = audit.disparities;
    expect(d.demographicParityDifference).toMatchObject({ maxGroup: "a", minGroup: "b", passed: true, comparison: "<=", threshold: 0.1 });
    expect(d.demographicParityDifference.value).toBeCloseTo(0.1);
    expect(d.demographicParityRatio.value).toBeCloseTo(0.8);
    expect(d.demographicParityRatio.passed).toBe(true);
    expect(d.equalOpportunityDifference.value).toBeCloseTo(0.2);
    expect(d.equalOpportunityDifference).toMatchObject({ maxGroup: "a", minGroup: "b", passed: false });
    expect(d.falsePositiveRateDifference.value).toBeCloseTo(0);
    expect(d.falsePositiveRateDifference.passed).toBe(true);
    expect(d.equalizedOddsDifference.value).toBeCloseTo(0.2);
    expect(audit.passed).toBe(false);
  });

  it("stores the configuration, counts and results, never the raw rows", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const audit = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(SMALL_ROWS), TEAM, "test-json");
    const row = storedRow(audit.id);
    expect(Object.keys(row).sort()).toEqual(
      [
        "id",
        "orgId",
        "modelId",
        "versionId",
        "config",
        "preset",
        "thresholds",
        "rows",
        "skipped",
        "groups",
        "disparities",
        "warnings",
        "passed",
        "source",
        "fileName",
        "status",
        "signoffByLabel",
        "signoffComment",
        "signoffAt",
        "createdById",
        "createdByLabel",
        "createdAt",
      ].sort(),
    );
    const columns = getDb().$client.prepare("select name from pragma_table_info('bias_audits')").all() as Array<{ name: string }>;
    expect(columns.map((c) => c.name)).not.toContain("data");
    expect(columns.map((c) => c.name)).not.toContain("raw_rows");

    expect(JSON.parse(row.config)).toEqual({ ...PREDICTION_CONFIG });
    expect(row.rows).toBe(20);
    expect(row.passed).toBe(false);
    expect(JSON.parse(row.groups)).toEqual(audit.groups);
    expect(JSON.parse(row.disparities)).toEqual(audit.disparities);
    // Nothing of the input data is kept: a value that only occurs in the rows appears in no column, nor in the audit trail.
    const everything = JSON.stringify(row) + JSON.stringify(getDb().select().from(auditEvents).where(eq(auditEvents.orgId, orgId)).all());
    expect(everything).not.toContain(SECRET);
    expect(JSON.stringify(row).length).toBeLessThan(8000);

    expect(getBiasAudit(orgId, audit.id)).toMatchObject({ id: audit.id, groups: audit.groups, passed: false });
    expect(listVersionBiasAudits(orgId, v.versionId).map((a) => a.id)).toEqual([audit.id]);
    const events = getDb()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.entityType, "bias_audit")))
      .all();
    expect(events.map((e) => e.action)).toEqual(["bias_audit.created"]);
    expect(JSON.parse(events[0]!.payload).after).toMatchObject({ model: v.slug, rows: 20, passed: false, preset: "org-default" });
  });

  it("passes or fails by the organisation's thresholds; changed settings apply to later bias audits only", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    expect(getFairnessSettings(orgId)).toEqual({ fairnessRatioMin: 0.8, fairnessDifferenceMax: 0.1, fairnessPreset: "org-default" });
    const before = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(SMALL_ROWS), TEAM, "t");
    expect(before.passed).toBe(false);

    updateFairnessSettings(orgId, { fairnessRatioMin: 0.8, fairnessDifferenceMax: 0.25, fairnessPreset: "org-default" }, ETHICS);
    expect(getFairnessSettings(orgId).fairnessDifferenceMax).toBe(0.25);
    const after = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(SMALL_ROWS), TEAM, "t");
    expect(after.passed).toBe(true);
    expect(after.thresholds).toEqual({ ratioMin: 0.8, differenceMax: 0.25 });
    expect(after.disparities.equalOpportunityDifference).toMatchObject({ threshold: 0.25, passed: true });
    // The earlier audit keeps its own thresholds and result.
    expect(getBiasAudit(orgId, before.id)).toMatchObject({ passed: false, thresholds: { ratioMin: 0.8, differenceMax: 0.1 } });

    updateFairnessSettings(orgId, { fairnessRatioMin: 0.9, fairnessDifferenceMax: 0.25, fairnessPreset: "org-default" }, ETHICS);
    const stricter = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(SMALL_ROWS), TEAM, "t");
    expect(stricter.passed).toBe(false);
    expect(stricter.disparities.demographicParityRatio).toMatchObject({ threshold: 0.9, passed: false });

    const events = getDb()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, "settings.fairness_updated")))
      .all();
    expect(events).toHaveLength(2);
    // Another organisation keeps the defaults.
    expect(getFairnessSettings(newOrg()).fairnessDifferenceMax).toBe(0.1);
  });

  it("a preset in the config overrides the organisation's default preset", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    updateFairnessSettings(orgId, { fairnessRatioMin: 0.9, fairnessDifferenceMax: 0.25, fairnessPreset: "org-default" }, ETHICS);
    const orgDefault = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(SMALL_ROWS), TEAM, "t");
    expect(orgDefault).toMatchObject({ preset: "org-default", passed: false });
    // The four-fifths rule fixes the ratio minimum at 0.8, so the 0.8 ratio passes.
    const eeoc = await runBiasAudit(
      orgId,
      v.slug,
      v.version,
      { ...PREDICTION_CONFIG, preset: "eeoc-four-fifths" },
      rowsSource(SMALL_ROWS),
      TEAM,
      "t",
    );
    expect(eeoc).toMatchObject({ preset: "eeoc-four-fifths", passed: true });
    expect(eeoc.disparities.demographicParityRatio.threshold).toBe(0.8);
    expect(storedRow(eeoc.id).preset).toBe("eeoc-four-fifths");
    expect(JSON.parse(storedRow(eeoc.id).config)).not.toHaveProperty("preset");

    const nyc = await runBiasAudit(
      orgId,
      v.slug,
      v.version,
      { ...PREDICTION_CONFIG, preset: "nyc-ll144" },
      rowsSource(SMALL_ROWS),
      TEAM,
      "t",
    );
    expect(nyc.preset).toBe("nyc-ll144");
    expect(nyc.disparities.minimumImpactRatio?.value).toBeCloseTo(0.8);

    // The organisation's default preset is used when the config names none.
    updateFairnessSettings(orgId, { fairnessRatioMin: 0.9, fairnessDifferenceMax: 0.25, fairnessPreset: "eeoc-four-fifths" }, ETHICS);
    const byDefault = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(SMALL_ROWS), TEAM, "t");
    expect(byDefault).toMatchObject({ preset: "eeoc-four-fifths", passed: true });
  });

  it("uses a score column with a threshold", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const rows: Row[] = [
      ...Array.from({ length: 30 }, (_, i) => ({ g: "x", y: i % 2 ? "yes" : "no", s: i % 2 ? 0.9 : 0.1 })),
      ...Array.from({ length: 30 }, (_, i) => ({ g: "z", y: i % 2 ? "yes" : "no", s: i % 2 ? "0.7" : "0.2" })),
    ];
    const audit = await runBiasAudit(
      orgId,
      v.slug,
      v.version,
      config({ groupColumns: ["g"], labelColumn: "y", positiveLabels: ["yes"], scoreColumn: "s", threshold: 0.5 }),
      rowsSource(rows),
      TEAM,
      "t",
    );
    expect(audit.groups.map((g) => [g.group, g.tp, g.fn, g.fp, g.tn])).toEqual([
      ["x", 15, 0, 0, 15],
      ["z", 15, 0, 0, 15],
    ]);
    expect(audit.passed).toBe(true);
  });
});

/**
 * A row that counts how often its properties are touched (read, tested,
 * listed): the audit of JSON rows must read the configured columns of each
 * row and nothing else, so its work is rows × configured columns whatever
 * else a row carries (issue 14: 5,000 extra keys in one row once made it
 * keys × rows).
 */
function countingRow(row: Row, touches: { count: number }): Row {
  return new Proxy(row, {
    get: (target, key, receiver) => {
      touches.count++;
      return Reflect.get(target, key, receiver);
    },
    has: (target, key) => {
      touches.count++;
      return Reflect.has(target, key);
    },
    getOwnPropertyDescriptor: (target, key) => {
      touches.count++;
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    ownKeys: (target) => {
      touches.count += Reflect.ownKeys(target).length;
      return Reflect.ownKeys(target);
    },
  });
}

describe("computeFairness with JSON rows reads only the configured columns", () => {
  const wide: Row = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`extra${i}`, i]));

  it("never reads a column the configuration does not name", async () => {
    const touches = { count: 0 };
    const rows = [...SMALL_ROWS.slice(0, 1).map((row) => countingRow({ ...row, ...wide }, touches)), ...SMALL_ROWS.slice(1)];
    const touchedAlone = { count: 0 };
    await computeFairness(PREDICTION_CONFIG, rowsSource([countingRow({ ...SMALL_ROWS[0]! }, touchedAlone), ...SMALL_ROWS.slice(1)]));
    const result = await computeFairness(PREDICTION_CONFIG, rowsSource(rows));
    expect(result.rows).toBe(SMALL_ROWS.length);
    // The 5,000 extra keys cost nothing: the wide row is touched exactly as often as the same row without them.
    expect(touches.count).toBe(touchedAlone.count);
  });

  it("touches each row at most a few times per configured column, however many keys one row has", async () => {
    const touches = { count: 0 };
    const rows = [countingRow({ ...SMALL_ROWS[0]!, ...wide }, touches), ...Array.from({ length: 2_000 }, () => countingRow({}, touches))];
    rows.push(...SMALL_ROWS.slice(1));
    await computeFairness(PREDICTION_CONFIG, rowsSource(rows));
    const configured = 3; // group, label, prediction
    expect(touches.count).toBeLessThanOrEqual(2_001 * configured * 3);
  });
});

describe("runBiasAudit with a CSV file", () => {
  it("streams a temp file through fileStream and records the file name", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const lines = ["group,label,prediction,name", ...SMALL_ROWS.map((r) => `${r.group},${r.label},${r.prediction},"Doe, Jane"`)];
    lines.splice(3, 0, ",1,1,no group"); // skipped: missing group
    const file = writeCsv("small.csv", lines);
    const audit = await runBiasAudit(
      orgId,
      v.slug,
      v.version,
      PREDICTION_CONFIG,
      { kind: "csv", stream: fileStream(file), fileName: "small.csv" },
      TEAM,
      "ui-upload",
    );
    expect(audit).toMatchObject({ rows: 20, skipped: 1, fileName: "small.csv", source: "ui-upload", passed: false });
    expect(audit.groups.map((g) => [g.group, g.n, g.tp, g.fn, g.fp, g.tn])).toEqual([
      ["a", 10, 4, 1, 1, 4],
      ["b", 10, 3, 2, 1, 4],
    ]);
    expect(audit.warnings.some((w) => w.includes("1 row was skipped"))).toBe(true);
    expect(JSON.stringify(storedRow(audit.id))).not.toContain("Doe, Jane");
  });

  it("names the row of a malformed CSV record", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const file = writeCsv("bad.csv", ["group,label,prediction", "a,1,1", 'a,1,"unterminated']);
    const error = await catchDomainAsync(() =>
      runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, { kind: "csv", stream: fileStream(file) }, TEAM, "t"),
    );
    expect(error.code).toBe("invalid");
    expect(error.field).toBe("file");
    expect(error.message).toMatch(/^Row 3: /);
    expect(error.message).not.toMatch(/^Row 4: /);
  });

  it("refuses an empty file", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const file = writeCsv("empty.csv", []);
    const error = await catchDomainAsync(() =>
      runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, { kind: "csv", stream: fileStream(file) }, TEAM, "t"),
    );
    expect(error.code).toBe("invalid");
    expect(error.field).toBe("file");
  });
});

describe("runBiasAudit refusals", () => {
  it("an unknown column is invalid, naming the field and the column; nothing is stored", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const error = await catchDomainAsync(() =>
      runBiasAudit(orgId, v.slug, v.version, { ...PREDICTION_CONFIG, groupColumns: ["race"] }, rowsSource(SMALL_ROWS), TEAM, "t"),
    );
    expect(error.code).toBe("invalid");
    expect(error.field).toBe("config.groupColumns");
    expect(error.message).toContain('Unknown column "race"');
    expect(error.message).toContain('"group"');

    const label = await catchDomainAsync(() =>
      runBiasAudit(orgId, v.slug, v.version, { ...PREDICTION_CONFIG, labelColumn: "outcome" }, rowsSource(SMALL_ROWS), TEAM, "t"),
    );
    expect(label.field).toBe("config.labelColumn");
    expect(label.message).toContain('"outcome"');

    const csv = await catchDomainAsync(() =>
      runBiasAudit(
        orgId,
        v.slug,
        v.version,
        { ...PREDICTION_CONFIG, predictionColumn: "pred" },
        { kind: "csv", stream: fileStream(writeCsv("cols.csv", ["group,label,prediction", "a,1,1"])) },
        TEAM,
        "t",
      ),
    );
    expect(csv.field).toBe("config.predictionColumn");
    expect(csv.message).toContain('"pred"');
    expect(listVersionBiasAudits(orgId, v.versionId)).toEqual([]);
  });

  it("no positive labels is invalid", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const error = await catchDomainAsync(() =>
      runBiasAudit(orgId, v.slug, v.version, { ...PREDICTION_CONFIG, positiveLabels: ["yes"] }, rowsSource(SMALL_ROWS), TEAM, "t"),
    );
    expect(error.code).toBe("invalid");
    expect(error.field).toBe("config.positiveLabels");
    expect(error.message).toContain("yes");
    expect(error.message).toContain('"label"');
    expect(listVersionBiasAudits(orgId, v.versionId)).toEqual([]);
  });

  it("rows without any usable value are invalid", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const error = await catchDomainAsync(() =>
      runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource([{ group: "", label: 1, prediction: 1 }]), TEAM, "t"),
    );
    expect(error.code).toBe("invalid");
    expect(error.field).toBe("rows");
  });

  it("a non-numeric score is invalid, naming the CSV row (the header is row 1)", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const file = writeCsv("score.csv", ["group,label,score", "a,1,0.9", "b,0,0.1", "a,1,high", "b,1,0.3"]);
    const error = await catchDomainAsync(() =>
      runBiasAudit(
        orgId,
        v.slug,
        v.version,
        config({ groupColumns: ["group"], labelColumn: "label", positiveLabels: ["1"], scoreColumn: "score", threshold: 0.5 }),
        { kind: "csv", stream: fileStream(file) },
        TEAM,
        "t",
      ),
    );
    expect(error.code).toBe("invalid");
    expect(error.field).toBe("config.scoreColumn");
    expect(error.message).toMatch(/^Row 4: /);
    expect(error.message).toContain('"high"');
  });

  // JSON rows have no header row, so rows[2] is the third row: "Row 3", not "Row 4" as a CSV would count it.
  it("a non-numeric score in JSON rows is invalid and names its 1-based position in `rows`", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const rows: Row[] = [
      { group: "a", label: 1, score: 0.9 },
      { group: "b", label: 0, score: 0.1 },
      { group: "a", label: 1, score: "n/a" },
    ];
    const error = await catchDomainAsync(() =>
      runBiasAudit(
        orgId,
        v.slug,
        v.version,
        config({ groupColumns: ["group"], labelColumn: "label", positiveLabels: ["1"], scoreColumn: "score", threshold: 0.5 }),
        rowsSource(rows),
        TEAM,
        "t",
      ),
    );
    expect(error.code).toBe("invalid");
    expect(error.field).toBe("config.scoreColumn");
    expect(error.message).toMatch(/^Row \d+: /);
    expect(error.message).toContain('"n/a"');
    expect(error.message).toMatch(/^Row 3: /);
    expect(error.message).not.toMatch(/^Row 4: /);
  });

  it("404s for an unknown version or another organisation's model", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    expect(
      (await catchDomainAsync(() => runBiasAudit(orgId, v.slug, "9.9.9", PREDICTION_CONFIG, rowsSource(SMALL_ROWS), TEAM, "t"))).code,
    ).toBe("not_found");
    expect(
      (await catchDomainAsync(() => runBiasAudit(newOrg(), v.slug, v.version, PREDICTION_CONFIG, rowsSource(SMALL_ROWS), TEAM, "t"))).code,
    ).toBe("not_found");
  });
});

describe("signOffBiasAudit", () => {
  it("accepts once; a second sign-off is a conflict", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const audit = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(SMALL_ROWS), TEAM, "t");
    signOffBiasAudit(orgId, audit.id, { decision: "accept", comment: "Fine" }, ETHICS, { now: new Date("2026-04-01T00:00:00Z") });
    expect(getBiasAudit(orgId, audit.id)).toMatchObject({
      status: "accepted",
      signoff: { by: ETHICS.label, decision: "accept", comment: "Fine", at: "2026-04-01T00:00:00.000Z" },
    });
    for (const decision of ["accept", "reject"] as const) {
      const error = catchDomain(() => signOffBiasAudit(orgId, audit.id, { decision, comment: "again" }, ETHICS));
      expect(error.code).toBe("conflict");
      expect(error.message).toMatch(/already accepted/);
    }
    const actions = getDb()
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.entityType, "bias_audit"), eq(auditEvents.entityId, String(audit.id))))
      .all()
      .map((e) => e.action);
    expect(actions).toEqual(["bias_audit.created", "bias_audit.accepted"]);
  });

  it("rejection needs a comment", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const audit = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(SMALL_ROWS), TEAM, "t");
    const error = catchDomain(() => signOffBiasAudit(orgId, audit.id, { decision: "reject" }, ETHICS));
    expect(error.code).toBe("invalid");
    expect(error.field).toBe("comment");
    expect(getBiasAudit(orgId, audit.id)!.status).toBe("pending");
    signOffBiasAudit(orgId, audit.id, { decision: "reject", comment: "Wrong data" }, ETHICS);
    expect(getBiasAudit(orgId, audit.id)).toMatchObject({ status: "rejected", signoff: { decision: "reject", comment: "Wrong data" } });
    expect(catchDomain(() => signOffBiasAudit(orgId, audit.id, { decision: "accept" }, ETHICS)).code).toBe("conflict");
  });

  it("accepting a failed bias audit needs a written rationale (a risk acceptance); a passing one does not", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const failing = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(SMALL_ROWS), TEAM, "t");
    expect(failing.passed).toBe(false);
    for (const comment of [undefined, "", "   "]) {
      const error = catchDomain(() => signOffBiasAudit(orgId, failing.id, { decision: "accept", comment }, ETHICS));
      expect(error.code).toBe("invalid");
      expect(error.field).toBe("comment");
      expect(error.message).toMatch(/accepts its risk: write the rationale/);
    }
    expect(getBiasAudit(orgId, failing.id)).toMatchObject({ status: "pending", riskAcceptance: null });
    signOffBiasAudit(orgId, failing.id, { decision: "accept", comment: "Monitored weekly" }, ETHICS);
    expect(getBiasAudit(orgId, failing.id)).toMatchObject({
      status: "accepted",
      riskAcceptance: { auditId: failing.id, by: ETHICS.label, rationale: "Monitored weekly" },
    });
    const event = getDb()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, "bias_audit.accepted")))
      .get()!;
    expect(JSON.parse(event.payload).after).toMatchObject({ riskAccepted: true, comment: "Monitored weekly" });

    const passing = await runBiasAudit(
      orgId,
      v.slug,
      v.version,
      PREDICTION_CONFIG,
      rowsSource(groupRows("a", { tp: 5, fn: 5, fp: 5, tn: 5 }).concat(groupRows("b", { tp: 5, fn: 5, fp: 5, tn: 5 }))),
      TEAM,
      "t",
    );
    expect(passing.passed).toBe(true);
    signOffBiasAudit(orgId, passing.id, { decision: "accept" }, ETHICS);
    expect(getBiasAudit(orgId, passing.id)).toMatchObject({ status: "accepted", riskAcceptance: null });
  });

  it("four-eyes: whoever ran the bias audit may not sign it off; someone else may", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const person = (role: "ethics" | "team", n: number) => {
      const email = `${role}${n}.${orgId}@four-eyes.test`;
      const user = getDb().insert(users).values({ email, name: email, passwordHash: "x" }).returning().get();
      getDb().insert(memberships).values({ orgId, userId: user.id, role }).run();
      return { type: "user" as const, id: user.id, label: email };
    };
    const runner = person("ethics", 1);
    const colleague = person("ethics", 2);
    expect(BIAS_AUDIT_RUNNERS).toContain("ethics");
    const audit = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(SMALL_ROWS), runner, "ui-upload");
    expect(storedRow(audit.id).createdById).toBe(runner.id);
    expect(audit.createdBy).toBe(runner.label);
    const refused = catchDomain(() => signOffBiasAudit(orgId, audit.id, { decision: "reject", comment: "Mine" }, runner));
    expect(refused.code).toBe("forbidden");
    expect(refused.message).toMatch(/Four-eyes rule: you ran this audit/);
    expect(getBiasAudit(orgId, audit.id)!.status).toBe("pending");
    signOffBiasAudit(orgId, audit.id, { decision: "reject", comment: "Sample too small" }, colleague);
    expect(getBiasAudit(orgId, audit.id)).toMatchObject({ status: "rejected", signoff: { by: colleague.label } });

    // An audit sent by a token has no runner to exclude.
    const byToken = await runBiasAudit(
      orgId,
      v.slug,
      v.version,
      PREDICTION_CONFIG,
      rowsSource(SMALL_ROWS),
      { type: "token", id: 99, label: "token:pipeline" },
      "api-json",
    );
    expect(storedRow(byToken.id).createdById).toBeNull();
    signOffBiasAudit(orgId, byToken.id, { decision: "accept", comment: "Known gap" }, runner);
    expect(getBiasAudit(orgId, byToken.id)!.status).toBe("accepted");
    expect(verifyAuditChain(orgId).ok).toBe(true);
  });

  it("404s for another organisation's bias audit", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId);
    const audit = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(SMALL_ROWS), TEAM, "t");
    const other = newOrg();
    expect(catchDomain(() => signOffBiasAudit(other, audit.id, { decision: "accept" }, ETHICS)).code).toBe("not_found");
    expect(getBiasAudit(other, audit.id)).toBeNull();
    expect(getBiasAudit(orgId, audit.id)!.status).toBe("pending");
  });
});

describe("the bias audit gate", () => {
  const FAIR = groupRows("a", { tp: 10, fn: 10, fp: 10, tn: 10 }).concat(groupRows("b", { tp: 10, fn: 10, fp: 10, tn: 10 }));
  const UNFAIR = groupRows("a", { tp: 20, fn: 0, fp: 20, tn: 0 }).concat(groupRows("b", { tp: 0, fn: 20, fp: 0, tn: 20 }));

  it("for high risk, sees only an accepted, passing, fresh bias audit", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId, "high");
    expect(biasAuditGate(v.versionId)).toMatchObject({ required: true, passed: false });

    const failing = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(UNFAIR), TEAM, "t");
    expect(failing.passed).toBe(false);
    signOffBiasAudit(orgId, failing.id, { decision: "accept", comment: "Known gap, retraining next quarter" }, ETHICS);
    expect(biasAuditGate(v.versionId)).toMatchObject({ passed: false, riskAcceptance: { auditId: failing.id, counts: false } }); // accepted but failing

    const rejected = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(FAIR), TEAM, "t");
    expect(rejected.passed).toBe(true);
    signOffBiasAudit(orgId, rejected.id, { decision: "reject", comment: "Sample too small" }, ETHICS);
    expect(biasAuditGate(v.versionId).passed).toBe(false); // passing but rejected

    const pending = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(FAIR), TEAM, "t");
    expect(biasAuditGate(v.versionId).passed).toBe(false); // passing but not signed off

    const signedAt = new Date();
    signOffBiasAudit(orgId, pending.id, { decision: "accept" }, ETHICS, { now: signedAt });
    expect(biasAuditGate(v.versionId)).toMatchObject({ passed: true, detail: `Audit #${pending.id} passed and was accepted today` });
    // Freshness: still fine at 90 days, stale after.
    expect(biasAuditGate(v.versionId, new Date(signedAt.getTime() + 90 * DAY)).passed).toBe(true);
    expect(biasAuditGate(v.versionId, new Date(signedAt.getTime() + 91 * DAY)).passed).toBe(false);
  });

  it("for limited risk, an accepted failed bias audit with its rationale satisfies the gate, shown on the bias audit and the request", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId, "limited", "staging");
    const failing = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(UNFAIR), TEAM, "t");
    const rationale = "Groups differ by design of the pilot; human review of every decision.";
    signOffBiasAudit(orgId, failing.id, { decision: "accept", comment: rationale }, ETHICS);
    expect(biasAuditGate(v.versionId)).toMatchObject({
      passed: true,
      riskAcceptance: { auditId: failing.id, by: ETHICS.label, rationale, counts: true },
    });
    expect(getBiasAudit(orgId, failing.id)!.riskAcceptance).toMatchObject({ auditId: failing.id, by: ETHICS.label, rationale });
    const request = openApprovalRequest(orgId, v.slug, v.version, {}, TEAM);
    expect(request.checks.find((c) => c.id === "bias_audit")).toMatchObject({ passed: true, riskAcceptance: { rationale, counts: true } });
  });

  it("a bias audit signed off long ago does not count", async () => {
    const orgId = newOrg();
    const v = newVersion(orgId, "high");
    const old = new Date(Date.now() - 120 * DAY);
    const audit = await runBiasAudit(orgId, v.slug, v.version, PREDICTION_CONFIG, rowsSource(FAIR), TEAM, "t", { now: old });
    signOffBiasAudit(orgId, audit.id, { decision: "accept" }, ETHICS, { now: old });
    expect(biasAuditGate(v.versionId)).toMatchObject({ passed: false });
    expect(biasAuditGate(v.versionId).detail).toMatch(/120 days old/);
  });
});

describe("governance metrics", () => {
  const FAIR = groupRows("a", { tp: 10, fn: 10, fp: 10, tn: 10 }).concat(groupRows("b", { tp: 10, fn: 10, fp: 10, tn: 10 }));
  const UNFAIR = groupRows("a", { tp: 20, fn: 0, fp: 20, tn: 0 }).concat(groupRows("b", { tp: 0, fn: 20, fp: 0, tn: 20 }));

  function person(orgId: number, role: "team" | "ethics" | "leadership") {
    const email = `${role}.${orgId}@metrics.test`;
    const user = getDb().insert(users).values({ email, name: role, passwordHash: "x" }).returning().get();
    getDb().insert(memberships).values({ orgId, userId: user.id, role }).run();
    return { userId: user.id, label: email, role, actor: { type: "user" as const, id: user.id, label: email } };
  }
  function approveCard(orgId: number, slug: string, version: string) {
    const card = saveModelCard(orgId, slug, version, writtenCardSections({ modelDetails: "x" }), TEAM);
    submitModelCard(orgId, card.id, TEAM);
    reviewModelCard(orgId, card.id, { decision: "approve" }, ETHICS);
  }

  it("approvalGatedShare, approvedCardShare, passingAuditShare, openApprovalRequests and the median decision time", async () => {
    const orgId = newOrg();
    const team = person(orgId, "team");
    const ethics = person(orgId, "ethics");
    // Promotions are dated a minute ahead, so they come after the versions' registrations.
    const now = Date.now() + 60_000;

    // A: approved card, fresh accepted passing audit, promoted through an approval request decided 5 hours after opening.
    const a = newVersion(orgId, "limited", "staging");
    approveCard(orgId, a.slug, a.version);
    const auditA = await runBiasAudit(orgId, a.slug, a.version, PREDICTION_CONFIG, rowsSource(FAIR), TEAM, "t");
    signOffBiasAudit(orgId, auditA.id, { decision: "accept" }, ETHICS);
    const request = openApprovalRequest(orgId, a.slug, a.version, {}, team.actor, { now: new Date(now - 5 * 3_600_000) });
    expect(decideApprovalRequest(orgId, request.id, { decision: "approve" }, ethics, { now: new Date(now) }).status).toBe("approved");

    // B: imported into production; approved card, but its passing audit was signed off 100 days ago.
    const b = newVersion(orgId, "limited", "staging");
    approveCard(orgId, b.slug, b.version);
    const old = new Date(now - 100 * DAY);
    const auditB = await runBiasAudit(orgId, b.slug, b.version, PREDICTION_CONFIG, rowsSource(FAIR), TEAM, "t", { now: old });
    signOffBiasAudit(orgId, auditB.id, { decision: "accept" }, ETHICS, { now: old });
    transitionVersion(
      orgId,
      b.slug,
      b.version,
      { to: "production" },
      TEAM,
      { mayPromote: true },
      { importedHistory: true, now: new Date(now) },
    );

    // C: imported into production; no card, an accepted but failing audit.
    const c = newVersion(orgId, "limited", "staging");
    const auditC = await runBiasAudit(orgId, c.slug, c.version, PREDICTION_CONFIG, rowsSource(UNFAIR), TEAM, "t");
    expect(auditC.passed).toBe(false);
    signOffBiasAudit(orgId, auditC.id, { decision: "accept", comment: "Risk accepted for the test" }, ETHICS);
    transitionVersion(
      orgId,
      c.slug,
      c.version,
      { to: "production" },
      TEAM,
      { mayPromote: true },
      { importedHistory: true, now: new Date(now) },
    );

    // D: staging with an open request (not in production).
    const d = newVersion(orgId, "minimal", "staging");
    openApprovalRequest(orgId, d.slug, d.version, {}, team.actor, { now: new Date(now) });

    const window = { from: new Date(now - DAY), to: new Date(now + 3_600_000) };
    const metrics = computeRegistryMetrics(orgId, window);
    expect(metrics.productionPromotions).toBe(3);
    expect(metrics.productionModels).toBe(3);
    expect(metrics.approvalGatedShare).toBeCloseTo(1 / 3);
    expect(metrics.approvedCardShare).toBeCloseTo(2 / 3);
    expect(metrics.passingAuditShare).toBeCloseTo(1 / 3);
    expect(metrics.openApprovalRequests).toBe(1);
    expect(metrics.medianApprovalDecisionHours).toBeCloseTo(5);
    expect(verifyAuditChain(orgId).ok).toBe(true);

    // Retiring the three after the window end leaves the window's figures as they were at its end.
    for (const v of [a, b, c]) {
      transitionVersion(orgId, v.slug, v.version, { to: "retired" }, TEAM, { mayPromote: false }, { now: new Date(now + 2 * 3_600_000) });
    }
    expect(computeRegistryMetrics(orgId, window)).toEqual(metrics);
  });

  // BUG (app/modules/registry/metrics.server.ts, openApprovalRequests): `and status <> 'cancelled'` drops a
  // request that was open at the window end but cancelled later, so a past window's figure changes after the
  // fact (rejected/approved requests decided later are still counted, as they should be).
  it("openApprovalRequests counts a request open at the window end even if it was cancelled afterwards", () => {
    const orgId = newOrg();
    const team = person(orgId, "team");
    const ethics = person(orgId, "ethics");
    const now = Date.now();
    const window = { from: new Date(now - 10 * DAY), to: new Date(now - DAY) };
    const a = newVersion(orgId, "minimal", "staging");
    const b = newVersion(orgId, "minimal", "staging");
    const rejected = openApprovalRequest(orgId, a.slug, a.version, {}, team.actor, { now: new Date(now - 2 * DAY) });
    const cancelled = openApprovalRequest(orgId, b.slug, b.version, {}, team.actor, { now: new Date(now - 2 * DAY) });
    expect(computeRegistryMetrics(orgId, window).openApprovalRequests).toBe(2);
    // Both are closed after the window end.
    decideApprovalRequest(orgId, rejected.id, { decision: "reject", comment: "No" }, ethics, { now: new Date(now) });
    cancelApprovalRequest(orgId, cancelled.id, team.actor, { isAdmin: false });
    expect(computeRegistryMetrics(orgId, window).openApprovalRequests).toBe(2);
  });

  it("are null without production versions or promotions", () => {
    const orgId = newOrg();
    const metrics = computeRegistryMetrics(orgId, { from: new Date(Date.now() - DAY), to: new Date(Date.now() + DAY) });
    expect(metrics).toMatchObject({
      approvalGatedShare: null,
      approvedCardShare: null,
      passingAuditShare: null,
      medianApprovalDecisionHours: null,
      openApprovalRequests: 0,
    });
  });
});
