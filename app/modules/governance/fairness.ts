import { z } from "zod";
import { lengthFirst } from "../../utils/bounded";

/**
 * Group-fairness metrics for bias audits (the definitions follow Fairlearn's
 * `MetricFrame` / `demographic_parity_*` / `equalized_odds_difference`).
 *
 * Pure: no DB, no I/O. Rows arrive one at a time through `FairnessAccumulator`
 * (memory is O(number of groups)), then `evaluateDisparities` compares the
 * groups under one of the `FAIRNESS_PRESETS`.
 *
 * Every rate is `null` when its denominator is 0 — never NaN — so results can
 * be stored as JSON and shown as "n/a".
 */

// ---------------------------------------------------------------------------
// Configuration

export type FairnessConfig = {
  /** One or more columns; several make intersectional groups keyed "A × B". */
  groupColumns: string[];
  labelColumn: string;
  /** Label values counted as an actual positive (compared as trimmed strings). */
  positiveLabels: string[];
  /** Either a prediction column with its positive values… */
  predictionColumn?: string;
  positivePredictions?: string[];
  /** …or a score column; a row is predicted positive when Number(score) >= threshold. */
  scoreColumn?: string;
  threshold?: number;
  /** Optional group key the other groups are compared with. */
  referenceGroup?: string;
  /** Groups with fewer rows are reported but left out of disparities. Default 30. */
  minGroupSize?: number;
};

export const DEFAULT_MIN_GROUP_SIZE = 30;
/** Separator of the columns of an intersectional group key. */
export const INTERSECTION_SEPARATOR = " × ";

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const columnName = z
  .string({ required_error: "Choose a column", invalid_type_error: "Choose a column" })
  .trim()
  .min(1, "Choose a column")
  .max(500, "Use at most 500 characters");
const optionalColumn = z.preprocess(blankToUndefined, columnName.optional());
const valueList = (what: string) =>
  lengthFirst(
    z
      .array(
        z
          .string({ invalid_type_error: `Each ${what} must be text` })
          .trim()
          .min(1, `Remove the empty ${what}`)
          .max(500),
        {
          required_error: `List at least one ${what}`,
          invalid_type_error: `List the ${what}s`,
        },
      )
      .min(1, `List at least one ${what}`)
      .max(1000, `List at most 1000 ${what}s`),
  );

/** The fields of a fairness configuration; `FairnessConfigSchema` adds the rules across them. */
export const FairnessConfigFields = z.object({
  groupColumns: lengthFirst(
    z
      .array(columnName, { required_error: "Choose at least one group column", invalid_type_error: "Choose the group columns" })
      .min(1, "Choose at least one group column")
      .max(10, "Choose at most 10 group columns"),
  ).refine((columns) => new Set(columns).size === columns.length, "List each group column once"),
  labelColumn: columnName,
  positiveLabels: valueList("positive label"),
  predictionColumn: optionalColumn,
  positivePredictions: valueList("positive prediction").optional(),
  scoreColumn: optionalColumn,
  threshold: z.preprocess(
    (value) => (value === null || value === "" ? undefined : value),
    z.number({ invalid_type_error: "Enter the threshold as a number" }).finite("Enter a finite threshold").optional(),
  ),
  referenceGroup: z.preprocess(blankToUndefined, z.string().trim().max(1000, "Use at most 1000 characters").optional()),
  minGroupSize: z
    .number({ invalid_type_error: "Enter the minimum group size as a whole number" })
    .int("Enter the minimum group size as a whole number")
    .min(1, "The minimum group size must be at least 1")
    .default(DEFAULT_MIN_GROUP_SIZE),
});

/** A configuration uses a prediction column with its positive values, or a score column with a threshold: one, fully. */
export function checkPredictionOrScore(config: z.output<typeof FairnessConfigFields>, ctx: z.RefinementCtx): void {
  const usesPrediction = config.predictionColumn !== undefined || config.positivePredictions !== undefined;
  const usesScore = config.scoreColumn !== undefined || config.threshold !== undefined;
  if (usesPrediction && usesScore) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ["scoreColumn"],
      message: "Use either a prediction column with positive predictions or a score column with a threshold, not both",
    });
    return;
  }
  if (!usesPrediction && !usesScore) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: ["predictionColumn"],
      message: "Choose a prediction column (with its positive values) or a score column (with a threshold)",
    });
    return;
  }
  if (usesPrediction) {
    if (config.predictionColumn === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["predictionColumn"], message: "Choose the prediction column" });
    }
    if (config.positivePredictions === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["positivePredictions"],
        message: "List at least one positive prediction",
      });
    }
  } else {
    if (config.scoreColumn === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["scoreColumn"], message: "Choose the score column" });
    }
    if (config.threshold === undefined) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["threshold"], message: "Enter the score threshold" });
    }
  }
}

export const FairnessConfigSchema = FairnessConfigFields.superRefine(checkPredictionOrScore);

/** A configuration that does not fit the data (or the schema); `field` names the offending input. */
export class FairnessConfigError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = "FairnessConfigError";
    this.field = field;
  }
}

// ---------------------------------------------------------------------------
// Results

export type ConfusionCounts = { n: number; tp: number; fp: number; tn: number; fn: number };

export type RateComparison = { selectionRate: number | null; truePositiveRate: number | null; falsePositiveRate: number | null };

export type GroupMetrics = ConfusionCounts & {
  group: string;
  /** Actual positives (tp + fn). */
  positives: number;
  /** tp + fp. */
  predictedPositives: number;
  baseRate: number | null;
  selectionRate: number | null;
  truePositiveRate: number | null;
  falsePositiveRate: number | null;
  falseNegativeRate: number | null;
  trueNegativeRate: number | null;
  precision: number | null;
  accuracy: number | null;
  /** n ÷ the rows counted. */
  share: number;
  /** n >= minGroupSize (and, under nyc-ll144, share >= 2%). */
  includedInDisparities: boolean;
  /** group ÷ reference group, when a reference group is configured (null when undefined). */
  ratioToReference?: RateComparison;
  /** group − reference group, when a reference group is configured. */
  differenceToReference?: RateComparison;
  /** selectionRate ÷ the highest selectionRate among included groups. */
  impactRatio: number | null;
};

export type Disparity = {
  value: number | null;
  maxGroup: string | null;
  minGroup: string | null;
  threshold: number;
  comparison: "<=" | ">=";
  passed: boolean | null;
};

export type FairnessComputation = {
  /** Rows counted in the metrics (skipped rows excluded). */
  rows: number;
  skipped: number;
  skippedReasons: Record<string, number>;
  overall: ConfusionCounts & { selectionRate: number | null; baseRate: number | null };
  /** Sorted by group key. */
  groups: GroupMetrics[];
  warnings: string[];
};

// ---------------------------------------------------------------------------
// Accumulation

type Counts = { n: number; tp: number; fp: number; tn: number; fn: number };

/** How many distinct non-positive values to remember for hints in warnings. */
const MAX_REMEMBERED_VALUES = 20;
/**
 * Distinct groups (or intersections) an audit may have, and the longest group
 * value: an identifier picked as the group column would otherwise keep one
 * confusion matrix per row in memory and store (and render) them all.
 */
export const MAX_GROUPS = 1_000;
export const MAX_GROUP_VALUE_LENGTH = 200;

const rate = (numerator: number, denominator: number): number | null => (denominator === 0 ? null : numerator / denominator);

function describeColumns(header: string[]): string {
  const names = header.map((name) => `"${name}"`);
  return names.length > 60 ? `${names.slice(0, 60).join(", ")}, … (${names.length} in all)` : names.join(", ");
}

function quoteList(values: Iterable<string>): string {
  return [...values].map((value) => `"${value}"`).join(", ");
}

function parseFairnessConfig(config: FairnessConfig) {
  const parsed = FairnessConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FairnessConfigError(String(issue?.path[0] ?? "config"), issue?.message ?? "Invalid audit configuration");
  }
  return parsed.data;
}

/** The columns a configuration reads, in the order they are checked, each with the field that names it. */
function configuredColumns(config: FairnessConfig): Array<{ field: string; name: string }> {
  return [
    ...config.groupColumns.map((name) => ({ field: "groupColumns", name })),
    { field: "labelColumn", name: config.labelColumn },
    config.scoreColumn !== undefined
      ? { field: "scoreColumn", name: config.scoreColumn }
      : { field: "predictionColumn", name: config.predictionColumn ?? "" },
  ];
}

/** A prediction row sent as JSON: column name → value. */
export type JsonPredictionRow = Readonly<Record<string, string | number | boolean | null>>;

/** Up to 60 of the columns the rows have, for an error message (only when a configured column is missing). */
function describeRowColumns(rows: readonly JsonPredictionRow[]): string {
  const names = new Set<string>();
  for (const row of rows) {
    for (const name in row) {
      if (!Object.hasOwn(row, name) || names.has(name)) continue;
      if (names.size === 60) return `${quoteList(names)}, …`;
      names.add(name);
    }
  }
  return names.size ? quoteList(names) : "none";
}

/**
 * Counts prediction rows sent as JSON. Only the configured columns of a row
 * are read (its own properties, by name), so the work is rows × configured
 * columns whatever else the rows carry: building a header from every key of
 * every row made one row of 5,000 extra keys cost keys × rows. A configured
 * column that no row has is an unknown column. Rows are numbered from 1, as
 * people count them in the request.
 */
export function accumulateJsonRows(config: FairnessConfig, rows: readonly JsonPredictionRow[]): FairnessAccumulator {
  const columns = configuredColumns(parseFairnessConfig(config));
  for (const { field, name } of columns) {
    if (!rows.some((row) => Object.hasOwn(row, name))) {
      throw new FairnessConfigError(field, `Unknown column "${name}"; columns are: ${describeRowColumns(rows)}`);
    }
  }
  const header = [...new Set(columns.map((column) => column.name))];
  const accumulator = new FairnessAccumulator(config, header);
  rows.forEach((row, index) => {
    accumulator.add(
      header.map((name) => {
        const value = Object.hasOwn(row, name) ? row[name] : undefined;
        return value == null ? "" : String(value);
      }),
      index + 1,
    );
  });
  return accumulator;
}

/**
 * Streams rows into per-group confusion matrices.
 *
 * Columns are found by name in `header` (names trimmed). When the header repeats
 * a name — the COMPAS file has two `decile_score` and two `priors_count`
 * columns — the FIRST occurrence is used.
 */
export class FairnessAccumulator {
  private readonly config: FairnessConfig & { minGroupSize: number };
  private readonly groupIndexes: number[];
  private readonly groupIndex: number;
  private readonly labelIndex: number;
  private readonly predictionIndex: number;
  private readonly useScore: boolean;
  private readonly threshold: number;
  private readonly positiveLabels: ReadonlySet<string>;
  private readonly positivePredictions: ReadonlySet<string>;
  private readonly groupNames: readonly string[];
  private readonly labelName: string;
  private readonly predictionName: string;
  private readonly groups = new Map<string, Counts>();
  private readonly overall: Counts = { n: 0, tp: 0, fp: 0, tn: 0, fn: 0 };
  private readonly skippedReasons = new Map<string, number>();
  private readonly otherLabels = new Set<string>();
  private readonly otherPredictions = new Set<string>();
  private added = 0;
  private skipped = 0;
  /** Columns the configuration names that the header holds more than once: the first is read. */
  private readonly repeatedColumns: string[] = [];

  constructor(config: FairnessConfig, header: string[]) {
    this.config = parseFairnessConfig(config);
    const names = header.map((name) => name.trim());
    const find = (field: string, name: string): number => {
      const index = names.indexOf(name); // first occurrence of a repeated name
      if (index === -1) {
        throw new FairnessConfigError(field, `Unknown column "${name}"; columns are: ${describeColumns(names)}`);
      }
      const times = names.filter((n) => n === name).length;
      if (times > 1 && !this.repeatedColumns.some((w) => w.startsWith(`"${name}"`))) {
        this.repeatedColumns.push(`"${name}" appears ${times} times in the header; the first (column ${index + 1}) was used`);
      }
      return index;
    };
    const c = this.config;
    this.groupNames = c.groupColumns;
    this.groupIndexes = c.groupColumns.map((name) => find("groupColumns", name));
    this.groupIndex = this.groupIndexes.length === 1 ? (this.groupIndexes[0] ?? -1) : -1;
    this.labelName = c.labelColumn;
    this.labelIndex = find("labelColumn", c.labelColumn);
    this.positiveLabels = new Set(c.positiveLabels);
    if (c.scoreColumn !== undefined) {
      this.useScore = true;
      this.predictionName = c.scoreColumn;
      this.predictionIndex = find("scoreColumn", c.scoreColumn);
      this.threshold = c.threshold ?? 0; // the schema guarantees a threshold with a score column
      this.positivePredictions = new Set();
    } else {
      this.useScore = false;
      this.predictionName = c.predictionColumn ?? "";
      this.predictionIndex = find("predictionColumn", this.predictionName);
      this.threshold = 0;
      this.positivePredictions = new Set(c.positivePredictions ?? []);
    }
  }

  /**
   * Counts one data row. `rowNumber` (1-based, header = row 1) is used in error
   * messages; it defaults to the position of the row among the rows added.
   */
  add(row: string[], rowNumber?: number): void {
    this.added++;
    let key: string;
    if (this.groupIndex !== -1) {
      const cell = row[this.groupIndex];
      key = cell === undefined ? "" : cell.trim();
      if (key === "") return this.skip(this.groupNames[0] ?? "");
      if (key.length > MAX_GROUP_VALUE_LENGTH) this.groupValueTooLong(rowNumber);
    } else {
      key = "";
      for (let i = 0; i < this.groupIndexes.length; i++) {
        const cell = row[this.groupIndexes[i] ?? -1];
        const part = cell === undefined ? "" : cell.trim();
        if (part === "") return this.skip(this.groupNames[i] ?? "");
        if (part.length > MAX_GROUP_VALUE_LENGTH) this.groupValueTooLong(rowNumber);
        key = i === 0 ? part : key + INTERSECTION_SEPARATOR + part;
      }
    }

    const labelCell = row[this.labelIndex];
    const label = labelCell === undefined ? "" : labelCell.trim();
    if (label === "") return this.skip(this.labelName);

    const predictionCell = row[this.predictionIndex];
    const prediction = predictionCell === undefined ? "" : predictionCell.trim();
    if (prediction === "") return this.skip(this.predictionName);

    let predicted: boolean;
    if (this.useScore) {
      const score = Number(prediction);
      if (!Number.isFinite(score)) {
        const at = rowNumber ?? this.added + 1;
        throw new FairnessConfigError(
          "scoreColumn",
          `Row ${at}: the score column "${this.predictionName}" holds "${prediction.slice(0, 100)}", which is not a number`,
        );
      }
      predicted = score >= this.threshold;
    } else {
      predicted = this.positivePredictions.has(prediction);
      if (!predicted && this.otherPredictions.size < MAX_REMEMBERED_VALUES) this.otherPredictions.add(prediction);
    }
    const actual = this.positiveLabels.has(label);
    if (!actual && this.otherLabels.size < MAX_REMEMBERED_VALUES) this.otherLabels.add(label);

    let counts = this.groups.get(key);
    if (counts === undefined) {
      const at = rowNumber ?? this.added + 1;
      if (this.groups.size >= MAX_GROUPS) {
        throw new FairnessConfigError(
          "groupColumns",
          `Row ${at}: more than ${MAX_GROUPS.toLocaleString("en")} distinct groups in ${quoteList(this.groupNames)}; choose group columns with fewer values`,
        );
      }
      counts = { n: 0, tp: 0, fp: 0, tn: 0, fn: 0 };
      this.groups.set(key, counts);
    }
    const overall = this.overall;
    counts.n++;
    overall.n++;
    if (actual) {
      if (predicted) {
        counts.tp++;
        overall.tp++;
      } else {
        counts.fn++;
        overall.fn++;
      }
    } else if (predicted) {
      counts.fp++;
      overall.fp++;
    } else {
      counts.tn++;
      overall.tn++;
    }
  }

  private groupValueTooLong(rowNumber: number | undefined): never {
    throw new FairnessConfigError(
      "groupColumns",
      `Row ${rowNumber ?? this.added + 1}: group values are limited to ${MAX_GROUP_VALUE_LENGTH} characters`,
    );
  }

  private skip(column: string): void {
    this.skipped++;
    const reason = `missing value in "${column}"`;
    this.skippedReasons.set(reason, (this.skippedReasons.get(reason) ?? 0) + 1);
  }

  /**
   * Refuses a configuration whose positive values never occur in the data, as
   * a mistake to correct rather than an audit to store: no row with a positive
   * label, or (with a prediction column) no row predicted positive. Nothing
   * could be measured, and every difference would read 0 and "pass". Names the
   * values that were seen. (A score threshold no row reaches is not refused:
   * that audit is stored and fails, saying why.)
   */
  requirePositives(): void {
    const o = this.overall;
    if (o.n === 0) return;
    if (o.tp + o.fn === 0) {
      throw new FairnessConfigError(
        "positiveLabels",
        `No row has a positive label (${quoteList(this.positiveLabels)}) in "${this.labelName}"` +
          (this.otherLabels.size > 0 ? `; the values seen are ${quoteList(this.otherLabels)}` : ""),
      );
    }
    if (!this.useScore && o.tp + o.fp === 0) {
      throw new FairnessConfigError(
        "positivePredictions",
        `No row is predicted positive: ${quoteList(this.positivePredictions)} never occurs in "${this.predictionName}"` +
          (this.otherPredictions.size > 0 ? `; the values seen are ${quoteList(this.otherPredictions)}` : ""),
      );
    }
  }

  result(): FairnessComputation {
    const { minGroupSize, referenceGroup } = this.config;
    const total = this.overall.n;
    const warnings: string[] = [];

    const groups = [...this.groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([group, counts]) => groupMetrics(group, counts, total, counts.n >= minGroupSize));
    setImpactRatios(groups);

    if (this.repeatedColumns.length) warnings.push(`${this.repeatedColumns.join("; ")}.`);
    if (total === 0) warnings.push("No rows could be counted, so there is nothing to compare.");
    if (this.skipped > 0) {
      const reasons = [...this.skippedReasons.entries()].map(([reason, count]) => `${count} with a ${reason}`).join(", ");
      warnings.push(`${this.skipped} ${this.skipped === 1 ? "row was" : "rows were"} skipped: ${reasons}.`);
    }
    for (const g of groups) {
      if (!g.includedInDisparities) {
        warnings.push(
          `Group "${g.group}" has ${g.n} ${g.n === 1 ? "row" : "rows"}, below the minimum of ${minGroupSize}; it is reported but left out of disparities.`,
        );
      }
    }
    if (total > 0) {
      const o = this.overall;
      if (o.tp + o.fn === 0) {
        warnings.push(
          `No row has a positive label (${quoteList(this.positiveLabels)}) in "${this.labelName}"` +
            (this.otherLabels.size > 0 ? ` (values seen include ${quoteList(this.otherLabels)})` : "") +
            "; true and false negative rates are undefined.",
        );
      } else if (o.fp + o.tn === 0) {
        warnings.push(`Every row has a positive label in "${this.labelName}"; false positive and true negative rates are undefined.`);
      }
      if (o.tp + o.fp === 0) {
        const hint = this.useScore
          ? ` (no score reaches the threshold ${this.threshold})`
          : ` (positive predictions: ${quoteList(this.positivePredictions)}` +
            (this.otherPredictions.size > 0 ? `; values seen include ${quoteList(this.otherPredictions)}` : "") +
            ")";
        warnings.push(`No row is predicted positive in "${this.predictionName}"${hint}.`);
      } else if (o.tn + o.fn === 0) {
        warnings.push(`Every row is predicted positive in "${this.predictionName}".`);
      }
    }
    if (referenceGroup !== undefined) {
      const reference = groups.find((g) => g.group === referenceGroup);
      if (!reference) {
        warnings.push(`The reference group "${referenceGroup}" does not occur in the data; groups are not compared with it.`);
      } else if (!reference.includedInDisparities) {
        warnings.push(`The reference group "${referenceGroup}" has fewer than ${minGroupSize} rows; comparisons with it are unreliable.`);
      }
      for (const g of groups) {
        g.ratioToReference = compareRates(g, reference, (a, b) => (b === 0 ? null : a / b));
        g.differenceToReference = compareRates(g, reference, (a, b) => a - b);
      }
    }

    const o = this.overall;
    return {
      rows: total,
      skipped: this.skipped,
      skippedReasons: Object.fromEntries(this.skippedReasons),
      overall: { n: o.n, tp: o.tp, fp: o.fp, tn: o.tn, fn: o.fn, selectionRate: rate(o.tp + o.fp, o.n), baseRate: rate(o.tp + o.fn, o.n) },
      groups,
      warnings,
    };
  }
}

function groupMetrics(group: string, c: Counts, total: number, included: boolean): GroupMetrics {
  const positives = c.tp + c.fn;
  const negatives = c.fp + c.tn;
  const predictedPositives = c.tp + c.fp;
  return {
    group,
    n: c.n,
    tp: c.tp,
    fp: c.fp,
    tn: c.tn,
    fn: c.fn,
    positives,
    predictedPositives,
    baseRate: rate(positives, c.n),
    selectionRate: rate(predictedPositives, c.n),
    truePositiveRate: rate(c.tp, positives),
    falsePositiveRate: rate(c.fp, negatives),
    falseNegativeRate: rate(c.fn, positives),
    trueNegativeRate: rate(c.tn, negatives),
    precision: rate(c.tp, predictedPositives),
    accuracy: rate(c.tp + c.tn, c.n),
    share: total === 0 ? 0 : c.n / total,
    includedInDisparities: included,
    impactRatio: null,
  };
}

function compareRates(
  group: GroupMetrics,
  reference: GroupMetrics | undefined,
  combine: (value: number, referenceValue: number) => number | null,
): RateComparison {
  const one = (key: keyof RateComparison): number | null => {
    const value = group[key];
    const referenceValue = reference?.[key];
    return value === null || referenceValue === null || referenceValue === undefined ? null : combine(value, referenceValue);
  };
  return { selectionRate: one("selectionRate"), truePositiveRate: one("truePositiveRate"), falsePositiveRate: one("falsePositiveRate") };
}

/** Sets impactRatio = selectionRate ÷ the highest selectionRate among included groups (in place). */
function setImpactRatios(groups: GroupMetrics[]): void {
  let best: number | null = null;
  for (const g of groups) {
    if (g.includedInDisparities && g.selectionRate !== null && (best === null || g.selectionRate > best)) best = g.selectionRate;
  }
  for (const g of groups) {
    g.impactRatio = g.selectionRate === null || best === null || best === 0 ? null : g.selectionRate / best;
  }
}

// ---------------------------------------------------------------------------
// Disparities

export const FAIRNESS_PRESETS: Record<"org-default" | "eeoc-four-fifths" | "nyc-ll144", { label: string; description: string }> = {
  "org-default": {
    label: "Organisation default",
    description:
      "Demographic parity (difference and ratio), equal opportunity, false positive rate and equalized odds differences, " +
      "using the organisation's ratio minimum and difference maximum.",
  },
  "eeoc-four-fifths": {
    label: "EEOC four-fifths rule",
    description:
      "The US EEOC's adverse-impact rule of thumb: every group's selection rate must be at least 80% of the highest " +
      "group's (demographic parity ratio >= 0.8), plus the organisation's difference maximum for the other metrics.",
  },
  "nyc-ll144": {
    label: "NYC Local Law 144 (AEDT bias audit)",
    description:
      "New York City's bias audit for automated employment decision tools: impact ratios (each group's selection rate " +
      "÷ the highest), leaving out groups under 2% of the data, plus the organisation's thresholds for the other metrics.",
  },
};

export type FairnessPreset = keyof typeof FAIRNESS_PRESETS;
export type Thresholds = { ratioMin: number; differenceMax: number };
export const DEFAULT_THRESHOLDS: Thresholds = { ratioMin: 0.8, differenceMax: 0.1 };
/** NYC LL144: groups below this share of the data may be excluded from impact ratios. */
export const NYC_LL144_MIN_SHARE = 0.02;
const FOUR_FIFTHS = 0.8;

/**
 * The rules an audit was judged by, in the words its page and exports use:
 * "Organisation default: ratios ≥ 0.8, differences ≤ 0.1; groups under 30
 * rows left out". `symbols`: the PDF's standard fonts have no ≥ or ≤.
 */
export function auditRulesText(
  audit: { preset: FairnessPreset; thresholds: Thresholds; config: { minGroupSize?: number } },
  symbols: { atLeast: string; atMost: string } = { atLeast: "≥", atMost: "≤" },
): string {
  const ratioMin = audit.preset === "eeoc-four-fifths" ? FOUR_FIFTHS : audit.thresholds.ratioMin;
  const minGroupSize = audit.config.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE;
  return (
    `${FAIRNESS_PRESETS[audit.preset].label}: ratios ${symbols.atLeast} ${ratioMin}, ` +
    `differences ${symbols.atMost} ${audit.thresholds.differenceMax}; groups under ${minGroupSize} rows left out`
  );
}

export type DisparityName =
  | "demographicParityDifference"
  | "demographicParityRatio"
  | "equalOpportunityDifference"
  | "falsePositiveRateDifference"
  | "equalizedOddsDifference"
  | "minimumImpactRatio";

export type DisparityEvaluation = {
  disparities: {
    demographicParityDifference: Disparity;
    demographicParityRatio: Disparity;
    equalOpportunityDifference: Disparity;
    falsePositiveRateDifference: Disparity;
    equalizedOddsDifference: Disparity;
    /** nyc-ll144 only. */
    minimumImpactRatio?: Disparity;
  };
  groups: GroupMetrics[];
  passed: boolean;
  /** Warnings about this evaluation only; `computation.warnings` are not repeated. */
  warnings: string[];
};

type Extremes = { max: number; min: number; maxGroup: string; minGroup: string } | null;

/**
 * Highest and lowest non-null value among the groups, or null when fewer than
 * two groups have a value. The first group (in key order) wins ties, except
 * that the min group differs from the max group whenever possible.
 */
function extremes(groups: GroupMetrics[], value: (g: GroupMetrics) => number | null): Extremes {
  let count = 0;
  let max = 0;
  let min = 0;
  let maxGroup = "";
  let minGroup = "";
  for (const g of groups) {
    const v = value(g);
    if (v === null) continue;
    if (count++ === 0) {
      max = min = v;
      maxGroup = minGroup = g.group;
      continue;
    }
    if (v > max) {
      max = v;
      maxGroup = g.group;
    }
    if (v < min || (v === min && minGroup === maxGroup)) {
      min = v;
      minGroup = g.group;
    }
  }
  return count < 2 ? null : { max, min, maxGroup, minGroup };
}

function judge(value: number | null, threshold: number, comparison: "<=" | ">="): boolean | null {
  if (value === null) return null;
  return comparison === "<=" ? value <= threshold : value >= threshold;
}

function differenceOf(e: Extremes, threshold: number): Disparity {
  const value = e === null ? null : e.max - e.min;
  return {
    value,
    maxGroup: e?.maxGroup ?? null,
    minGroup: e?.minGroup ?? null,
    threshold,
    comparison: "<=",
    passed: judge(value, threshold, "<="),
  };
}

function ratioOf(e: Extremes, threshold: number): Disparity {
  const value = e === null || e.max === 0 ? null : e.min / e.max;
  return {
    value,
    maxGroup: e?.maxGroup ?? null,
    minGroup: e?.minGroup ?? null,
    threshold,
    comparison: ">=",
    passed: judge(value, threshold, ">="),
  };
}

/** A group's rates and ratios, as GroupMetrics names them. */
export type GroupRateName =
  | "baseRate"
  | "selectionRate"
  | "truePositiveRate"
  | "falsePositiveRate"
  | "falseNegativeRate"
  | "trueNegativeRate"
  | "precision"
  | "accuracy"
  | "impactRatio";

/**
 * People's names for every fairness metric key (disparities and group rates):
 * pages, exports and reports show these, never the camelCase keys.
 */
export const FAIRNESS_METRIC_LABELS: Record<DisparityName | GroupRateName, string> = {
  demographicParityDifference: "Demographic parity difference",
  demographicParityRatio: "Demographic parity ratio",
  equalOpportunityDifference: "Equal opportunity difference",
  falsePositiveRateDifference: "False positive rate difference",
  equalizedOddsDifference: "Equalized odds difference",
  minimumImpactRatio: "Minimum impact ratio",
  baseRate: "Base rate",
  selectionRate: "Selection rate",
  truePositiveRate: "True positive rate",
  falsePositiveRate: "False positive rate",
  falseNegativeRate: "False negative rate",
  trueNegativeRate: "True negative rate",
  precision: "Precision",
  accuracy: "Accuracy",
  impactRatio: "Impact ratio",
};

/** What each disparity compares, in a few words (shown under its name). */
export const DISPARITY_EXPLANATIONS: Record<DisparityName, string> = {
  demographicParityDifference: "Selection rate, highest group − lowest group",
  demographicParityRatio: "Selection rate, lowest group ÷ highest group",
  equalOpportunityDifference: "True positive rate, highest group − lowest group",
  falsePositiveRateDifference: "False positive rate, highest group − lowest group",
  equalizedOddsDifference: "The larger of the true and false positive rate differences",
  minimumImpactRatio: "Lowest group’s selection rate ÷ the highest group’s",
};

/** Why a disparity could not be measured, in people's words (for a disparity whose value is null). */
function unmeasuredReason(name: DisparityName, disparity: Disparity): string {
  switch (name) {
    case "demographicParityRatio":
    case "minimumImpactRatio":
      return disparity.maxGroup === null
        ? "fewer than 2 of the groups compared have a selection rate"
        : "no group compared is predicted positive, so there is no highest selection rate to divide by";
    case "equalOpportunityDifference":
      return "fewer than 2 of the groups compared have an actual positive, so their true positive rates are undefined";
    case "falsePositiveRateDifference":
      return "fewer than 2 of the groups compared have an actual negative, so their false positive rates are undefined";
    case "equalizedOddsDifference":
      return "neither the true nor the false positive rates of 2 groups compared are defined";
    default:
      return "fewer than 2 of the groups compared have a selection rate";
  }
}

/**
 * The disparities an audit could not measure although it had groups to
 * compare, each with the reason. An audit with any of them cannot pass: a
 * rule that was never measured was never met. Works on stored audits too.
 */
export function unmeasuredDisparities(audit: {
  disparities: Partial<Record<DisparityName, Disparity>>;
  groups: ReadonlyArray<Pick<GroupMetrics, "includedInDisparities">>;
}): Array<{ name: DisparityName; reason: string }> {
  if (audit.groups.filter((g) => g.includedInDisparities).length < 2) return [];
  return (Object.entries(audit.disparities) as [DisparityName, Disparity | undefined][])
    .filter((entry): entry is [DisparityName, Disparity] => entry[1] !== undefined && entry[1].value === null)
    .map(([name, disparity]) => ({ name, reason: unmeasuredReason(name, disparity) }));
}

/**
 * How the table names a disparity's two ends: the highest and the lowest group,
 * or, when every group compared has the same rate, that they are all equal
 * (naming two groups would suggest a gap that is not there).
 */
export function disparityEnds(
  disparity: Disparity,
): { kind: "groups"; highest: string; lowest: string } | { kind: "equal"; text: string } | { kind: "none" } {
  const { value, maxGroup, minGroup, comparison } = disparity;
  if (maxGroup === null || minGroup === null) return { kind: "none" };
  // A ratio without a value but with groups: the highest rate is 0, so every rate is 0.
  if (value === null) return comparison === ">=" ? { kind: "equal", text: "Every group 0" } : { kind: "none" };
  if ((comparison === "<=" && value === 0) || (comparison === ">=" && value === 1)) return { kind: "equal", text: "All groups equal" };
  return { kind: "groups", highest: maxGroup, lowest: minGroup };
}

/**
 * Compares the included groups under a preset. Groups with a null rate are
 * ignored for that rate. Fewer than two included groups fails the audit, and
 * so does a metric that could not be measured (fewer than two defined rates,
 * or a ratio whose highest rate is 0): it is null and the audit says why.
 */
export function evaluateDisparities(
  computation: FairnessComputation,
  thresholds: Thresholds,
  preset: keyof typeof FAIRNESS_PRESETS,
): DisparityEvaluation {
  const warnings: string[] = [];
  const nyc = preset === "nyc-ll144";
  const ratioMin = preset === "eeoc-four-fifths" ? FOUR_FIFTHS : thresholds.ratioMin;
  const differenceMax = thresholds.differenceMax;

  const groups = computation.groups.map((g) => {
    const copy: GroupMetrics = { ...g };
    if (g.ratioToReference) copy.ratioToReference = { ...g.ratioToReference };
    if (g.differenceToReference) copy.differenceToReference = { ...g.differenceToReference };
    if (nyc && g.includedInDisparities && g.share < NYC_LL144_MIN_SHARE) {
      copy.includedInDisparities = false;
      warnings.push(
        `Group "${g.group}" is ${(g.share * 100).toFixed(2)}% of the rows, under NYC LL144's 2%; it is left out of impact ratios and disparities.`,
      );
    }
    return copy;
  });
  setImpactRatios(groups);
  const included = groups.filter((g) => g.includedInDisparities);

  const selection = extremes(included, (g) => g.selectionRate);
  const tpr = extremes(included, (g) => g.truePositiveRate);
  const fpr = extremes(included, (g) => g.falsePositiveRate);
  const tprDifference = differenceOf(tpr, differenceMax);
  const fprDifference = differenceOf(fpr, differenceMax);
  const odds =
    tprDifference.value === null
      ? fprDifference
      : fprDifference.value === null || tprDifference.value >= fprDifference.value
        ? tprDifference
        : fprDifference;

  const disparities: DisparityEvaluation["disparities"] = {
    demographicParityDifference: differenceOf(selection, differenceMax),
    demographicParityRatio: ratioOf(selection, ratioMin),
    equalOpportunityDifference: tprDifference,
    falsePositiveRateDifference: fprDifference,
    equalizedOddsDifference: { ...odds },
  };
  if (nyc) {
    let lowest: number | null = null;
    for (const g of included) {
      if (g.impactRatio !== null && (lowest === null || g.impactRatio < lowest)) lowest = g.impactRatio;
    }
    disparities.minimumImpactRatio = {
      value: lowest,
      maxGroup: selection?.maxGroup ?? null,
      minGroup: selection?.minGroup ?? null,
      threshold: ratioMin,
      comparison: ">=",
      passed: judge(lowest, ratioMin, ">="),
    };
  }

  let passed = true;
  if (included.length < 2) {
    passed = false;
    warnings.push(
      `Only ${included.length} ${included.length === 1 ? "group is" : "groups are"} large enough to compare; at least 2 are needed, so the audit cannot pass.`,
    );
  }
  for (const disparity of Object.values(disparities)) {
    if (disparity.passed === false) passed = false;
  }
  for (const { name, reason } of unmeasuredDisparities({ disparities, groups })) {
    passed = false;
    warnings.push(`${FAIRNESS_METRIC_LABELS[name]} could not be measured: ${reason}; the audit cannot pass.`);
  }
  return { disparities, groups, passed, warnings };
}
