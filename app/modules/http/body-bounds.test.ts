/**
 * Every collection a JSON body (or a form) may carry is bounded, and the
 * bound is checked before any item is read: zod checks `.max()` only after
 * parsing every item, so a 1 MB body of 300,000 items cost a worker seconds
 * and answered with 300,000 issues (issue 14). Each case sends one item too
 * many, every item invalid: exactly one issue, at the collection, proves
 * that no item was read. The time such bodies take against the production
 * server is in the bench's hostile-inputs section.
 */
import { describe, expect, it } from "vitest";
import type { ZodTypeAny } from "zod";
import { AssessmentResponsesSchema, FinalizeSchema } from "../assessment/assessment-schemas";
import { BiasAuditJsonSchema, MAX_JSON_ROW_COLUMNS, MAX_JSON_ROWS } from "../governance/governance-schemas";
import { ModelCreateSchema, ModelVersionCreateSchema, MonitoringSnapshotSchema } from "../registry/registry-schemas";
import { WebhookCreateSchema } from "../notifications/notification-schemas";
import { BulkAssignSchema } from "../roadmap/roadmap-schemas";
import { issuesOf } from "./api.server";

const CONFIG = { groupColumns: ["g"], labelColumn: "y", positiveLabels: ["1"], predictionColumn: "p", positivePredictions: ["1"] };
const invalidItems = (n: number) => Array.from({ length: n }, () => ({ nested: [] }));
const invalidValues = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, { nested: [] }]));

/** What is sent, the collection (path) refused, and what the refusal says. */
type Case = [name: string, schema: ZodTypeAny, body: Record<string, unknown>, path: string, says: RegExp];
const CASES: Case[] = [
  ["bias-audit rows", BiasAuditJsonSchema, { config: CONFIG, rows: invalidItems(MAX_JSON_ROWS + 1) }, "rows", /at most 200,000 rows.*CSV/],
  [
    "columns of one bias-audit row",
    BiasAuditJsonSchema,
    { config: CONFIG, rows: [invalidValues(MAX_JSON_ROW_COLUMNS + 1)] },
    "rows.0",
    /at most 100 columns.*CSV/,
  ],
  [
    "bias-audit group columns",
    BiasAuditJsonSchema,
    { config: { ...CONFIG, groupColumns: invalidItems(11) }, rows: [{}] },
    "config.groupColumns",
    /at most 10 group columns/,
  ],
  [
    "bias-audit positive labels",
    BiasAuditJsonSchema,
    { config: { ...CONFIG, positiveLabels: invalidItems(1001) }, rows: [{}] },
    "config.positiveLabels",
    /at most 1000/,
  ],
  ["model tags", ModelCreateSchema, { name: "Model", riskTier: "minimal", tags: invalidItems(21) }, "tags", /At most 20 tags/],
  ["version metrics", ModelVersionCreateSchema, { version: "1.0.0", metrics: invalidValues(101) }, "metrics", /At most 100 metrics/],
  ["monitoring metrics", MonitoringSnapshotSchema, { metrics: invalidValues(101) }, "metrics", /At most 100 metrics/],
  ["assessment capabilities", AssessmentResponsesSchema, { capabilities: invalidItems(501) }, "capabilities", /at most 500/],
  ["assessment questions", AssessmentResponsesSchema, { questions: invalidItems(51) }, "questions", /at most 50/],
  ["assessment versions", AssessmentResponsesSchema, { versions: invalidValues(101) }, "versions", /at most 100/],
  ["finalisation justifications", FinalizeSchema, { justifications: invalidValues(101) }, "justifications", /at most 100/],
  ["bulk-assigned roadmap items", BulkAssignSchema, { itemIds: invalidItems(501) }, "itemIds", /at most 500/],
  [
    "webhook events",
    WebhookCreateSchema,
    { url: "https://hooks.example.com/portal", events: invalidItems(51) },
    "events",
    /At most 50 events/,
  ],
];

describe("collections in request bodies are refused by size before their items are read", () => {
  it.each(CASES)("%s", (_name, schema, body, path, says) => {
    const result = schema.safeParse(body);
    expect(result.success).toBe(false);
    if (result.success) return;
    const issues = issuesOf(result.error);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe(path);
    expect(issues[0]!.message).toMatch(says);
  });

  it("a row of the bias audit within the column limit is read as before", () => {
    const row = Object.fromEntries(Array.from({ length: MAX_JSON_ROW_COLUMNS }, (_, i) => [`c${i}`, i]));
    expect(BiasAuditJsonSchema.safeParse({ config: CONFIG, rows: [row] }).success).toBe(true);
  });
});
