import { describe, expect, it } from "vitest";
import type { ZodTypeAny } from "zod";
import { staticRouteWords } from "../../../tests/setup/route-words";
import { fieldErrors } from "../../utils/validation";
import {
  IncidentCreateSchema,
  IncidentUpdateSchema,
  MetricsWindowSchema,
  ModelCreateFormSchema,
  ModelCreateSchema,
  ModelUpdateFormSchema,
  ModelUpdateSchema,
  ModelListPageQuerySchema,
  ModelListQuerySchema,
  ModelVersionCreateSchema,
  ModelVersionFormSchema,
  MonitoringSnapshotSchema,
  ObjectiveSchema,
  slugify,
  TransitionSchema,
} from "./registry-schemas";

/** Field → first message of a failed parse; fails the test if the parse succeeds. */
function errorsOf(schema: ZodTypeAny, input: unknown) {
  const result = schema.safeParse(input);
  if (result.success) throw new Error(`expected a validation error, got ${JSON.stringify(result.data)}`);
  return fieldErrors(result.error);
}

function parse<S extends ZodTypeAny>(schema: S, input: unknown) {
  const result = schema.safeParse(input);
  if (!result.success) throw new Error(`expected success, got ${JSON.stringify(fieldErrors(result.error))}`);
  return result.data as ReturnType<S["parse"]>;
}

describe("slugify", () => {
  it.each([
    ["Credit Risk Scorer", "credit-risk-scorer"],
    ["  Churn -- Model (v2)!  ", "churn-model-v2"],
    ["Café Olé", "cafe-ole"], // accents at word ends: the stray mark merges with the separator
    ["!!!", "model"],
  ])("%j → %j", (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  // Regression (registry-schemas.ts slugify): NFKD splits "é" into "e" + U+0301, but the
  // combining mark is then replaced by "-" instead of being dropped, so an accent
  // inside a word splits it: "Prédiction" → "pre-diction". Fix: strip marks after
  // normalising, e.g. .normalize("NFKD").replace(/\p{M}+/gu, "") before the [^a-z0-9] step.
  it("drops accents inside words instead of splitting the word", () => {
    expect(slugify("Café Prédiction")).toBe("cafe-prediction");
  });

  it("caps at 64 characters without a trailing hyphen", () => {
    const slug = slugify(`${"a".repeat(63)} b`);
    expect(slug).toBe("a".repeat(63));
    expect(slugify("x".repeat(100))).toHaveLength(64);
  });
});

describe("ModelCreateSchema", () => {
  const base = { name: "Credit Risk", riskTier: "high" };

  it("reads tags from a list, trimmed, lower-cased and de-duplicated", () => {
    const data = parse(ModelCreateSchema, { ...base, tags: ["Vision", "vision", " edge ", ""] });
    expect(data.tags).toEqual(["vision", "edge"]);
  });

  it("refuses tags as one text, as the API document says (the form's text is split by the form schema)", () => {
    expect(errorsOf(ModelCreateSchema, { ...base, tags: "a,b" }).tags).toBe('Send the tags as a list, such as ["nlp", "fraud"]');
    expect(errorsOf(ModelCreateSchema, { ...base, tags: ["a", 5] })["tags.1"]).toBe("Each tag is text");
  });

  it("refuses tags with forbidden characters and too many tags", () => {
    expect(errorsOf(ModelCreateSchema, { ...base, tags: ["ok", "bad;tag"] })["tags.1"]).toMatch(/Tags use letters/);
    const many = Array.from({ length: 21 }, (_, i) => `t${i}`);
    expect(errorsOf(ModelCreateSchema, { ...base, tags: many }).tags).toBe("At most 20 tags");
  });

  it("turns empty optional fields into undefined and trims the rest", () => {
    const data = parse(ModelCreateSchema, {
      name: "  Credit Risk  ",
      riskTier: "limited",
      slug: "",
      ownerTeam: "",
      businessOwner: "",
      businessDomain: "",
      useCase: "",
      description: "",
    });
    expect(data).toEqual({
      name: "Credit Risk",
      riskTier: "limited",
      slug: undefined,
      ownerTeam: undefined,
      businessOwner: undefined,
      businessDomain: undefined,
      useCase: undefined,
      description: undefined,
      tags: undefined,
    });
  });

  it("accepts a valid slug and lower-cases it", () => {
    expect(parse(ModelCreateSchema, { ...base, slug: "Credit-Risk-2" }).slug).toBe("credit-risk-2");
  });

  it.each(["credit risk", "credit--risk", "-credit", "credit-", "a", "crédit", "a_b"])("refuses slug %j", (slug) => {
    expect(errorsOf(ModelCreateSchema, { ...base, slug }).slug).toBeDefined();
  });

  it("slug message explains the format", () => {
    expect(errorsOf(ModelCreateSchema, { ...base, slug: "credit risk" }).slug).toBe("Use lower-case letters, digits and single hyphens");
  });

  it("requires a name and a known risk tier", () => {
    const errors = errorsOf(ModelCreateSchema, { name: "  ", riskTier: "extreme" });
    expect(errors.name).toBe("Name is required");
    expect(errors.riskTier).toBe("Choose one of: minimal, limited, high, unacceptable");
    expect(errorsOf(ModelCreateSchema, { riskTier: "high" }).name).toBe("Name is required");
  });

  it("says a one-character name needs at least 2 characters (it said the name was required)", () => {
    expect(errorsOf(ModelCreateSchema, { name: " x ", riskTier: "high" }).name).toBe("Name needs at least 2 characters");
    expect(errorsOf(ModelUpdateSchema, { name: "x", riskTier: "high" }).name).toBe("Name needs at least 2 characters");
    expect(parse(ModelCreateSchema, { name: "xy", riskTier: "high" }).name).toBe("xy");
  });
});

describe("ModelCreateFormSchema and ModelUpdateFormSchema (the model form)", () => {
  const base = { name: "Credit Risk", riskTier: "high" };

  it.each([
    ["create", ModelCreateFormSchema],
    ["update", ModelUpdateFormSchema],
  ] as const)("%s: reads tags from the form's comma-separated text, trimmed, lower-cased and de-duplicated", (_, schema) => {
    expect(parse(schema, { ...base, tags: " NLP, fraud ,nlp,, Fraud " }).tags).toEqual(["nlp", "fraud"]);
    expect(parse(schema, { ...base, tags: "" }).tags).toEqual([]);
    expect(errorsOf(schema, { ...base, tags: "ok, bad;tag" })["tags.1"]).toMatch(/Tags use letters/);
  });

  it("ignores the form's other fields (intent, one-time token)", () => {
    expect(parse(ModelCreateFormSchema, { ...base, intent: "save", submissionToken: "t" })).not.toHaveProperty("intent");
  });
});

describe("ModelVersionCreateSchema", () => {
  it("accepts a minimal version; stage and everything else optional", () => {
    const data = parse(ModelVersionCreateSchema, { version: " 1.2.0 " });
    expect(data.version).toBe("1.2.0");
    expect(data.stage).toBeUndefined();
    expect(data.metrics).toBeUndefined();
    expect(data.trainingData).toBeUndefined();
  });

  it.each(["1.0", "v1.0.0", "01.0.0", "latest"])("refuses version %j", (version) => {
    expect(errorsOf(ModelVersionCreateSchema, { version }).version).toBe("Use a semantic version such as 1.4.0 or 2.0.0-rc.1");
  });

  it("accepts the first three stages but not production or retired", () => {
    for (const stage of ["development", "validation", "staging"]) {
      expect(parse(ModelVersionCreateSchema, { version: "1.0.0", stage }).stage).toBe(stage);
    }
    expect(errorsOf(ModelVersionCreateSchema, { version: "1.0.0", stage: "production" }).stage).toBe(
      "New versions start in development, validation or staging; production is reached by promotion",
    );
    expect(errorsOf(ModelVersionCreateSchema, { version: "1.0.0", stage: "retired" }).stage).toMatch(/production is reached by promotion/);
  });

  it("reads metrics from name=value lines (newline or comma separated)", () => {
    expect(parse(ModelVersionCreateSchema, { version: "1.0.0", metrics: "auc=0.91\nf1 = 0.8\n\n" }).metrics).toEqual({
      auc: 0.91,
      f1: 0.8,
    });
    expect(parse(ModelVersionCreateSchema, { version: "1.0.0", metrics: "a=1,b=-2.5" }).metrics).toEqual({ a: 1, b: -2.5 });
  });

  it("reads metrics from a JSON object typed as text", () => {
    expect(parse(ModelVersionCreateSchema, { version: "1.0.0", metrics: ' {"auc": 0.9, "latency_ms": 120} ' }).metrics).toEqual({
      auc: 0.9,
      latency_ms: 120,
    });
  });

  it("reads metrics from an object", () => {
    expect(parse(ModelVersionCreateSchema, { version: "1.0.0", metrics: { auc: 0.9 } }).metrics).toEqual({ auc: 0.9 });
  });

  it("empty metrics text means no metrics", () => {
    expect(parse(ModelVersionCreateSchema, { version: "1.0.0", metrics: "  " }).metrics).toBeUndefined();
  });

  it("explains a bad metric line", () => {
    expect(errorsOf(ModelVersionCreateSchema, { version: "1.0.0", metrics: "auc=0.9\naccuracy" }).metrics).toBe(
      'Write metrics as name=number, one per line ("accuracy")',
    );
    expect(errorsOf(ModelVersionCreateSchema, { version: "1.0.0", metrics: "auc=high" }).metrics).toBe(
      'Write metrics as name=number, one per line ("auc=high")',
    );
    expect(errorsOf(ModelVersionCreateSchema, { version: "1.0.0", metrics: "auc=" }).metrics).toMatch(/name=number/);
  });

  // Regression (registry-schemas.ts metricsField): `line.split("=")` ignores
  // everything after a second "=", so "auc=0.9=0.1" is silently read as 0.9.
  // Fix: split on the first "=" only and refuse a value that is not a number
  // (e.g. const i = line.indexOf("="); name = line.slice(0, i); raw = line.slice(i + 1)).
  it("refuses a metric line with two '=' instead of silently dropping the rest", () => {
    expect(errorsOf(ModelVersionCreateSchema, { version: "1.0.0", metrics: "auc=0.9=0.1" }).metrics).toMatch(/name=number/);
  });

  it("refuses invalid JSON metrics, bad metric names and non-number values", () => {
    expect(errorsOf(ModelVersionCreateSchema, { version: "1.0.0", metrics: "{auc: 1}" }).metrics).toBe(
      "Metrics must be valid JSON or name=value lines",
    );
    expect(Object.values(errorsOf(ModelVersionCreateSchema, { version: "1.0.0", metrics: "1auc=0.5" }))[0]).toMatch(
      /Metric names start with a letter/,
    );
    expect(Object.values(errorsOf(ModelVersionCreateSchema, { version: "1.0.0", metrics: { auc: "0.9" } }))[0]).toBe(
      "Metric values must be numbers",
    );
  });

  it("reads hyperparameters from JSON text or an object", () => {
    expect(parse(ModelVersionCreateSchema, { version: "1.0.0", hyperparameters: '{"lr":0.01,"layers":[64,32]}' }).hyperparameters).toEqual({
      lr: 0.01,
      layers: [64, 32],
    });
    expect(parse(ModelVersionCreateSchema, { version: "1.0.0", hyperparameters: { depth: 6 } }).hyperparameters).toEqual({ depth: 6 });
    expect(parse(ModelVersionCreateSchema, { version: "1.0.0", hyperparameters: "" }).hyperparameters).toBeUndefined();
  });

  it("invalid hyperparameters JSON → 'must be valid JSON'", () => {
    expect(errorsOf(ModelVersionCreateSchema, { version: "1.0.0", hyperparameters: "{lr: 0.01" }).hyperparameters).toBe(
      "Hyperparameters must be valid JSON",
    );
  });

  it("hyperparameters must be an object, not an array", () => {
    expect(errorsOf(ModelVersionCreateSchema, { version: "1.0.0", hyperparameters: "[1,2]" }).hyperparameters).toBeDefined();
  });

  it("a training data string becomes { ref }", () => {
    expect(parse(ModelVersionCreateSchema, { version: "1.0.0", trainingData: "s3://data/train-2026.parquet" }).trainingData).toEqual({
      ref: "s3://data/train-2026.parquet",
    });
    expect(parse(ModelVersionCreateSchema, { version: "1.0.0", trainingData: "  " }).trainingData).toBeUndefined();
    expect(parse(ModelVersionCreateSchema, { version: "1.0.0", trainingData: { ref: "dvc://x", version: "v3" } }).trainingData).toEqual({
      ref: "dvc://x",
      version: "v3",
    });
  });

  it("validates the parent version as semver", () => {
    expect(parse(ModelVersionCreateSchema, { version: "1.1.0", parentVersion: "1.0.0" }).parentVersion).toBe("1.0.0");
    expect(parse(ModelVersionCreateSchema, { version: "1.1.0", parentVersion: "" }).parentVersion).toBeUndefined();
    expect(errorsOf(ModelVersionCreateSchema, { version: "1.1.0", parentVersion: "one" }).parentVersion).toMatch(/semantic version/);
  });
});

describe("ModelVersionFormSchema", () => {
  it("combines trainingDataRef and trainingDataVersion into trainingData", () => {
    const data = parse(ModelVersionFormSchema, {
      version: "1.0.0",
      trainingDataRef: "  s3://bucket/train  ",
      trainingDataVersion: "2026-05",
    });
    expect(data.trainingData).toEqual({ ref: "s3://bucket/train", version: "2026-05" });
    expect(data).not.toHaveProperty("trainingDataRef");
    expect(data).not.toHaveProperty("trainingDataVersion");
  });

  it("an empty data version is left out", () => {
    expect(parse(ModelVersionFormSchema, { version: "1.0.0", trainingDataRef: "ref", trainingDataVersion: "" }).trainingData).toEqual({
      ref: "ref",
      version: undefined,
    });
  });

  it("no reference → no training data, even if a data version was typed", () => {
    expect(
      parse(ModelVersionFormSchema, { version: "1.0.0", trainingDataRef: " ", trainingDataVersion: "v1" }).trainingData,
    ).toBeUndefined();
  });

  it("still validates the other fields", () => {
    expect(errorsOf(ModelVersionFormSchema, { version: "nope", trainingDataRef: "x" }).version).toMatch(/semantic version/);
  });
});

describe("TransitionSchema / ObjectiveSchema", () => {
  it("transition target must be a stage", () => {
    expect(parse(TransitionSchema, { to: "production", reason: "" })).toEqual({ to: "production", reason: undefined });
    expect(errorsOf(TransitionSchema, { to: "live" }).to).toBe("Choose one of: development, validation, staging, production, retired");
  });

  it("objective threshold is coerced from form text", () => {
    expect(parse(ObjectiveSchema, { metric: "auc", comparison: ">=", threshold: "0.85" })).toEqual({
      metric: "auc",
      comparison: ">=",
      threshold: 0.85,
    });
    expect(errorsOf(ObjectiveSchema, { metric: "auc", comparison: "==", threshold: "1" }).comparison).toBe("Choose a comparison");
  });
});

describe("IncidentCreateSchema", () => {
  const base = { title: "Drift spike", severity: "sev2", startedAt: "2026-05-01T10:00:00Z" };

  it("coerces times to dates and leaves optional fields undefined", () => {
    const data = parse(IncidentCreateSchema, { ...base, detectedAt: "2026-05-01T12:00:00Z", status: "", reviewUrl: "" });
    expect(data.startedAt).toEqual(new Date("2026-05-01T10:00:00Z"));
    expect(data.detectedAt).toEqual(new Date("2026-05-01T12:00:00Z"));
    expect(data.status).toBeUndefined();
    expect(data.reviewUrl).toBeUndefined();
  });

  it("a missing or empty start says to enter it; a malformed one says how to write it", () => {
    for (const startedAt of [undefined, "", "   "]) {
      const result = IncidentCreateSchema.safeParse({ ...base, startedAt });
      expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
        ["startedAt", "Enter when the incident started"],
      ]);
    }
    expect(errorsOf(IncidentCreateSchema, { ...base, startedAt: "yesterday" }).startedAt).toBe(
      "Use a date and time such as 2026-05-01T14:30:00Z",
    );
    expect(errorsOf(IncidentCreateSchema, { ...base, startedAt: "2026-02-30T10:00" }).startedAt).toBe("That date does not exist");
  });

  it("detection before the start → issue on detectedAt", () => {
    const errors = errorsOf(IncidentCreateSchema, { ...base, detectedAt: "2026-05-01T09:59:59Z" });
    expect(errors).toEqual({ detectedAt: "Detection cannot precede the start" });
  });

  it("resolution before detection → issue on resolvedAt", () => {
    const errors = errorsOf(IncidentCreateSchema, {
      ...base,
      detectedAt: "2026-05-01T12:00:00Z",
      resolvedAt: "2026-05-01T11:00:00Z",
    });
    expect(errors).toEqual({ resolvedAt: "Resolution cannot precede detection" });
  });

  it("detection equal to the start is fine", () => {
    expect(parse(IncidentCreateSchema, { ...base, detectedAt: base.startedAt }).detectedAt).toEqual(new Date(base.startedAt));
  });

  it("review URL must be an http(s) address", () => {
    expect(parse(IncidentCreateSchema, { ...base, reviewUrl: "https://wiki.example.com/pir/42" }).reviewUrl).toBe(
      "https://wiki.example.com/pir/42",
    );
    expect(parse(IncidentCreateSchema, { ...base, reviewUrl: "HTTP://example.com" }).reviewUrl).toBe("HTTP://example.com");
    expect(errorsOf(IncidentCreateSchema, { ...base, reviewUrl: "ftp://example.com/pir" }).reviewUrl).toBe("Use an http(s) address");
    expect(errorsOf(IncidentCreateSchema, { ...base, reviewUrl: "javascript:alert(1)" }).reviewUrl).toBeDefined();
    expect(errorsOf(IncidentCreateSchema, { ...base, reviewUrl: "not a url" }).reviewUrl).toBe("Use a full http(s) address");
  });

  it("says a title shorter than 3 characters needs 3, on report and on update", () => {
    expect(errorsOf(IncidentCreateSchema, { title: "ab", severity: "sev3", startedAt: "2026-01-01" }).title).toBe(
      "Title needs at least 3 characters",
    );
    expect(errorsOf(IncidentUpdateSchema, { title: "ab" }).title).toBe("Title needs at least 3 characters");
  });

  it("refuses an unknown severity, a missing title and an out-of-range date", () => {
    const errors = errorsOf(IncidentCreateSchema, { title: "", severity: "sev5", startedAt: "1990-01-01T00:00:00Z" });
    expect(errors.title).toBe("Title is required");
    expect(errors.severity).toBe("Choose a severity from sev1 to sev4");
    expect(errors.startedAt).toBe("Use a date from 2000 to 2100");
  });
});

describe("IncidentUpdateSchema", () => {
  it("an empty update → 'Nothing to change'", () => {
    expect(errorsOf(IncidentUpdateSchema, {})).toEqual({ form: "Nothing to change" });
    expect(errorsOf(IncidentUpdateSchema, { title: "", status: "", description: "" })).toEqual({ form: "Nothing to change" });
  });

  it("a single field is enough", () => {
    expect(parse(IncidentUpdateSchema, { status: "resolved" }).status).toBe("resolved");
  });

  it("checks time order when both times are given", () => {
    expect(errorsOf(IncidentUpdateSchema, { detectedAt: "2026-05-02T00:00:00Z", resolvedAt: "2026-05-01T00:00:00Z" }).resolvedAt).toBe(
      "Resolution cannot precede detection",
    );
  });
});

describe("MonitoringSnapshotSchema", () => {
  it("accepts metrics and an optional observation time", () => {
    const data = parse(MonitoringSnapshotSchema, { metrics: { auc: 0.88 }, observedAt: "2026-05-01T00:00:00Z" });
    expect(data).toEqual({ metrics: { auc: 0.88 }, observedAt: new Date("2026-05-01T00:00:00Z") });
  });

  it("refuses empty metrics", () => {
    expect(errorsOf(MonitoringSnapshotSchema, { metrics: {} }).metrics).toBe("Send at least one metric");
  });

  it("refuses non-number values, including numeric strings and infinities", () => {
    expect(errorsOf(MonitoringSnapshotSchema, { metrics: { auc: "0.9" } })["metrics.auc"]).toBe("Metric values must be numbers");
    expect(errorsOf(MonitoringSnapshotSchema, { metrics: { auc: Infinity } })["metrics.auc"]).toBeDefined();
    expect(errorsOf(MonitoringSnapshotSchema, { metrics: { auc: null } })["metrics.auc"]).toBeDefined();
  });

  it("requires metrics", () => {
    expect(errorsOf(MonitoringSnapshotSchema, {}).metrics).toBeDefined();
  });
});

describe("MetricsWindowSchema", () => {
  it("date-only strings become UTC midnight", () => {
    const data = parse(MetricsWindowSchema, { from: "2026-04-01", to: "2026-07-01" });
    expect(data.from!.toISOString()).toBe("2026-04-01T00:00:00.000Z");
    expect(data.to!.toISOString()).toBe("2026-07-01T00:00:00.000Z");
  });

  it("full timestamps keep their offset", () => {
    const data = parse(MetricsWindowSchema, { from: "2026-04-01T02:00:00+02:00" });
    expect(data.from!.toISOString()).toBe("2026-04-01T00:00:00.000Z");
    expect(data.to).toBeUndefined();
  });

  it("both optional", () => {
    expect(parse(MetricsWindowSchema, {})).toEqual({ from: undefined, to: undefined });
    expect(parse(MetricsWindowSchema, { from: "", to: "" })).toEqual({ from: undefined, to: undefined });
  });

  it("from >= to is refused on `to`", () => {
    expect(errorsOf(MetricsWindowSchema, { from: "2026-07-01", to: "2026-04-01" })).toEqual({ to: "`from` must be before `to`" });
    expect(errorsOf(MetricsWindowSchema, { from: "2026-07-01", to: "2026-07-01" })).toEqual({ to: "`from` must be before `to`" });
  });

  // Regression (registry-schemas.ts DayOrDateTimeSchema): Date.parse rolls
  // impossible calendar days over, so "2026-02-30" silently becomes 2026-03-02.
  // Fix: for YYYY-MM-DD input, check that the parsed date's ISO day equals the input.
  it("an impossible calendar day is refused rather than rolled over", () => {
    expect(errorsOf(MetricsWindowSchema, { from: "2026-02-30" }).from).toBeDefined();
  });

  it("unparseable dates are refused", () => {
    expect(errorsOf(MetricsWindowSchema, { from: "next tuesday" }).from).toBe("Use a date such as 2026-07-01");
  });
});

describe("ModelListQuerySchema", () => {
  it("defaults", () => {
    expect(parse(ModelListQuerySchema, {})).toEqual({
      q: undefined,
      stage: undefined,
      riskTier: undefined,
      team: undefined,
      tag: undefined,
      sort: undefined,
      page: 1,
      pageSize: 25,
    });
  });

  it("reads valid values from query-string text", () => {
    expect(
      parse(ModelListQuerySchema, {
        q: " fraud ",
        stage: "production",
        riskTier: "high",
        team: "Risk",
        tag: "nlp",
        sort: "-risk",
        page: "3",
        pageSize: "10",
      }),
    ).toEqual({ q: "fraud", stage: "production", riskTier: "high", team: "Risk", tag: "nlp", sort: "-risk", page: 3, pageSize: 10 });
  });

  it("refuses bad values, naming each parameter and saying what to send (the API's 422)", () => {
    expect(
      errorsOf(ModelListQuerySchema, { stage: "live", riskTier: "extreme", sort: "popularity", page: "-2", pageSize: "1000" }),
    ).toEqual({
      stage: "Choose one of: development, validation, staging, production, retired",
      riskTier: "Choose one of: minimal, limited, high, unacceptable",
      sort: "Choose one of: name, -name, updated, -updated, risk, -risk",
      page: "Use a whole number from 1 to 100,000",
      pageSize: "Use a whole number from 1 to 100",
    });
    for (const page of ["abc", "0", "1.5", "100001"])
      expect(errorsOf(ModelListQuerySchema, { page }), page).toEqual({ page: expect.any(String) });
    expect(errorsOf(ModelListQuerySchema, { pageSize: "101" })).toEqual({ pageSize: "Use a whole number from 1 to 100" });
    expect(errorsOf(ModelListQuerySchema, { q: "a".repeat(101) })).toEqual({ q: "Use at most 100 characters" });
  });

  it("takes an empty value as not given", () => {
    expect(parse(ModelListQuerySchema, { stage: "", riskTier: "", page: "", pageSize: "" })).toMatchObject({
      stage: undefined,
      riskTier: undefined,
      page: 1,
      pageSize: 25,
    });
  });
});

describe("ModelListPageQuerySchema (the model list page)", () => {
  it("reads valid values as the API does", () => {
    const query = { q: " fraud ", stage: "production", riskTier: "high", sort: "-risk", page: "3", pageSize: "10" };
    expect(parse(ModelListPageQuerySchema, query)).toEqual(parse(ModelListQuerySchema, query));
  });

  it("bad values fall back to defaults instead of failing", () => {
    expect(
      parse(ModelListPageQuerySchema, { stage: "live", riskTier: "extreme", sort: "popularity", page: "-2", pageSize: "1000" }),
    ).toMatchObject({ stage: undefined, riskTier: undefined, sort: undefined, page: 1, pageSize: 25 });
    expect(parse(ModelListPageQuerySchema, { page: "abc", pageSize: "0" })).toMatchObject({ page: 1, pageSize: 25 });
    expect(parse(ModelListPageQuerySchema, { page: "1.5", pageSize: "2.5" })).toMatchObject({ page: 1, pageSize: 25 });
    expect(parse(ModelListPageQuerySchema, { q: "a".repeat(101), stage: "staging" })).toMatchObject({ q: undefined, stage: "staging" });
  });
});

describe("bad input is refused, never stored changed (issue 14, #7)", () => {
  const incident = { title: "Outage", severity: "sev2" };

  it.each(["2026-02-30T10:00:00Z", "2026-02-30T10:00", "2026-02-30", "2026-04-31T00:00:00+02:00"])(
    "an incident start of %s (no such day) is refused, not rolled over into the next month",
    (startedAt) => {
      expect(errorsOf(IncidentCreateSchema, { ...incident, startedAt })).toEqual({ startedAt: "That date does not exist" });
    },
  );

  it("a real day at the ends of the range is accepted; one outside it is refused", () => {
    expect(parse(IncidentCreateSchema, { ...incident, startedAt: "2000-01-01T00:00" }).startedAt).toEqual(new Date("2000-01-01T00:00:00Z"));
    expect(parse(IncidentCreateSchema, { ...incident, startedAt: "2024-02-29T23:59:59Z" }).startedAt).toEqual(
      new Date("2024-02-29T23:59:59Z"),
    );
    expect(errorsOf(IncidentCreateSchema, { ...incident, startedAt: "9999-12-31T00:00:00Z" }).startedAt).toBe(
      "Use a date from 2000 to 2100",
    );
    expect(errorsOf(MonitoringSnapshotSchema, { observedAt: "2026-13-01T00:00:00Z", metrics: { auc: 1 } }).observedAt).toBeDefined();
  });

  it("metrics windows are real days within the range", () => {
    expect(errorsOf(MetricsWindowSchema, { from: "2026-02-30T00:00:00Z" }).from).toBe("That date does not exist");
    expect(errorsOf(MetricsWindowSchema, { to: "0000-01-01" }).to).toBe("Use a date from 2000 to 2100");
  });

  it.each(["new", "NEW", " new "])("the model slug %j is reserved: /orgs/:org/models/new is the create form", (slug) => {
    expect(errorsOf(ModelCreateSchema, { name: "A model", slug, riskTier: "minimal" }).slug).toBe("This slug is reserved; choose another");
  });

  it("a model named New gets a slug that is not reserved", () => {
    expect(slugify("New")).not.toBe("new");
    expect(ModelCreateSchema.safeParse({ name: "x", slug: slugify("New"), riskTier: "minimal" }).error?.issues[0]?.path).not.toEqual([
      "slug",
    ]);
  });

  it.each([
    ["NUL", "Credit\u0000scorer"],
    ["a newline", "Credit\n# scorer"],
    ["a tab", "Credit\tscorer"],
    ["DEL", "Credit\u007fscorer"],
    ["a C1 control", "Credit\u0085scorer"],
    ["right-to-left override", "Credit \u202egnp.exe"],
    ["left-to-right embedding", "Credit \u202ascorer"],
    ["a first-strong isolate", "Credit \u2068scorer\u2069"],
    ["a line separator", "Credit\u2028scorer"],
  ])("names and titles refuse %s", (_, text) => {
    const message = "Remove the control or text-direction characters";
    expect(errorsOf(ModelCreateSchema, { name: text, riskTier: "minimal" }).name).toBe(message);
    expect(errorsOf(ModelCreateSchema, { name: "Fine", riskTier: "minimal", ownerTeam: text }).ownerTeam).toBe(message);
    expect(errorsOf(ModelUpdateSchema, { name: text, riskTier: "minimal" }).name).toBe(message);
    expect(errorsOf(IncidentCreateSchema, { ...incident, title: text, startedAt: "2026-05-01T00:00:00Z" }).title).toBe(message);
    expect(errorsOf(IncidentUpdateSchema, { title: text }).title).toBe(message);
  });

  it("names in any script, with accents and emoji, are still accepted", () => {
    for (const name of ["Modèle de crédit", "נתוני אשראי", "نموذج الائتمان", "信用评分 v2", "Churn 🚀 (beta)"])
      expect(parse(ModelCreateSchema, { name, riskTier: "minimal" }).name).toBe(name);
  });
});

describe("reserved model slugs (issue 14, #7)", () => {
  it("every fixed path word under /orgs/:org/models/ is refused as a model slug and never made from a name", () => {
    const words = staticRouteWords("orgs.$orgSlug.models.");
    expect(words).toContain("new");
    for (const word of words) {
      expect(errorsOf(ModelCreateSchema, { name: "A model", slug: word, riskTier: "minimal" }).slug, word).toBe(
        "This slug is reserved; choose another",
      );
      expect(slugify(word), word).not.toBe(word);
    }
  });
});
