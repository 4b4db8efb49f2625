/**
 * Hostile inputs: the worst request shapes found (issue 14), each sent to the
 * production server and timed from sending to the last byte of the answer.
 * Budget: each answers within BUDGETS.hostileMs with the expected status,
 * whatever it carries. While each request runs, /healthz is asked every
 * 50 ms: a shape that holds the worker shows there too (a 169 KB bias audit
 * once kept /healthz waiting 13.8 s).
 *
 * The shapes are the bodies that cost the most before the bounds: one JSON
 * row of 5,000 keys over 40,000 rows (keys × rows), bodies filled to their
 * 1 MB limit with items or keys, a form of repeated fields (n² lookups) and a
 * CSV as wide as the parser allows. Unit tests assert the bounds
 * structurally; this is where their time is measured.
 */
import http from "node:http";
import { MAX_JSON_ROW_COLUMNS } from "../../app/modules/governance/governance-schemas";
import { MAX_FORM_FIELDS } from "../../app/utils/form-action.server";
import { CSV_DEFAULT_MAX_FIELDS } from "../../app/utils/csv-parser";
import { CARD_SECTION_IDS } from "../../app/modules/governance/governance-constants";
import { keepAliveAgent, replyText, send, type Send } from "./http-client";

/**
 * What the shapes aim at: an API token with every scope, the session cookie of
 * a member who may edit model cards, a model version and an assessment of the organisation.
 */
export type HostileTargets = {
  token: string;
  cookie: string;
  orgSlug: string;
  model: { slug: string; version: string };
  assessmentId: number;
};

export type HostileShape = {
  name: string;
  /** The answers that mean the shape was handled as it should be. */
  expect: number[];
  /** Requests sent first and not timed (each must succeed), e.g. saving what the timed page shows. */
  setup?: (targets: HostileTargets) => Send[];
  request: (targets: HostileTargets) => Send;
};

export type HostileResult = {
  name: string;
  method: string;
  path: string;
  bodyKb: number;
  status: number;
  statusExpected: boolean;
  /** Wall time of each sample. */
  samplesMs: number[];
  maxMs: number;
  /** The slowest /healthz answer while the shape's requests ran (NaN: none completed meanwhile). */
  healthzMaxMs: number;
};

/** As large as a JSON body may be (MAX_JSON_BYTES), less room for the envelope. */
const JSON_LIMIT = 1_000_000 - 200;
const CONFIG = { groupColumns: ["g"], labelColumn: "y", positiveLabels: ["1"], predictionColumn: "p", positivePredictions: ["1"] };

/** `count` copies of `item` joined by commas, as many as fit in `bytes`. */
const fill = (item: string, bytes: number) =>
  Array(Math.floor(bytes / (item.length + 1)))
    .fill(item)
    .join(",");
/** A JSON object of `k0…kn` keys with `value`, as many as fit in `bytes`. */
function keysObject(value: string, bytes: number): string {
  const parts: string[] = [];
  for (let size = 2, i = 0; ; i++) {
    const part = `"k${i}":${value}`;
    if (size + part.length + 1 > bytes) break;
    parts.push(part);
    size += part.length + 1;
  }
  return `{${parts.join(",")}}`;
}

const api = (t: HostileTargets, method: string, path: string, body: string): Send => ({
  method,
  path: `/api/v1${path}`,
  headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" },
  body,
});
const biasAudits = (t: HostileTargets) => `/models/${t.model.slug}/versions/${t.model.version}/bias-audits`;
const form = (body: string): Send => ({
  method: "POST",
  path: "/login",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body,
});

/** A bias-audit CSV upload with the widest rows the parser accepts, about 1 MB. */
function wideCsv(t: HostileTargets): Send {
  const extra = CSV_DEFAULT_MAX_FIELDS - 3;
  const header = `g,y,p,${Array.from({ length: extra }, (_, i) => `c${i}`).join(",")}\n`;
  const row = `a,1,1${",".repeat(extra)}\n`;
  const csv = header + row.repeat(Math.floor((1_000_000 - header.length) / row.length));
  const boundary = "----bench-hostile";
  const body =
    `--${boundary}\r\nContent-Disposition: form-data; name="config"\r\n\r\n${JSON.stringify(CONFIG)}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="wide.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n` +
    `--${boundary}--\r\n`;
  return {
    method: "POST",
    path: `/api/v1${biasAudits(t)}`,
    headers: { authorization: `Bearer ${t.token}`, "content-type": `multipart/form-data; boundary=${boundary}` },
    body,
  };
}

/** A model card section's limit, filled with `unit`. */
const section = (unit: string) => unit.repeat(Math.ceil(20_000 / unit.length)).slice(0, 20_000);
const wideTable = (columns: number, lines: number) => `${"|a".repeat(columns)}|\n${"|-".repeat(columns)}|\n${"a\n".repeat(lines)}`;
/**
 * The Markdown that cost the most, each filling a card section (20,000 characters): setext headings
 * (quadratic), tables as wide and as long as fit (columns × rows), brackets, reference definitions,
 * footnotes, many lines, backtick runs, emphasis and nesting.
 */
const HOSTILE_MARKDOWN: Array<[name: string, text: string]> = [
  ["5,000 setext headings", section("a\n=\n")],
  ["a 2,000-column table over 6,000 lines", wideTable(2_000, 5_990)],
  ["a 100-column table at the cell limit", wideTable(100, 195)],
  ["20,000 [", section("[")],
  ["2,800 reference definitions", section("[a]: b\n")],
  [
    "2,000 footnote definitions",
    Array.from({ length: 2_000 }, (_, i) => `[^${i}]: x`)
      .join("\n")
      .slice(0, 20_000),
  ],
  ["10,000 lines", section("a\n")],
  ["backtick runs", section("`a``")],
  ["emphasis soup", section("*a_")],
];

/** Saves the model card through its edit form, `text` in its first section and the others empty (no section versions: saved as sent). */
function saveCard(t: HostileTargets, text: string): Send {
  const fields = new URLSearchParams(CARD_SECTION_IDS.map((id, i) => [id, i === 0 ? text : ""]));
  return {
    method: "POST",
    path: `/orgs/${t.orgSlug}/models/${t.model.slug}/versions/${t.model.version}/card/edit`,
    headers: { cookie: t.cookie, "content-type": "application/x-www-form-urlencoded" },
    body: fields.toString(),
  };
}

export const HOSTILE_SHAPES: HostileShape[] = [
  {
    name: "Bias audit JSON: row 1 with 5,000 keys, 40,000 empty rows (169 KB)",
    expect: [422],
    request: (t) => {
      const wide = { g: "a", y: 1, p: 1, ...Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`x${i}`, 0])) };
      return api(t, "POST", biasAudits(t), `{"config":${JSON.stringify(CONFIG)},"rows":[${JSON.stringify(wide)},${fill("{}", 120_000)}]}`);
    },
  },
  {
    name: "Bias audit JSON: 1 MB of valid rows",
    expect: [201],
    request: (t) => {
      const rows = Array.from(
        { length: Math.floor(JSON_LIMIT / 24) },
        (_, i) => `{"g":"${"abcd"[i % 4]}","y":${i % 2},"p":${(i >> 1) % 2}}`,
      );
      return api(t, "POST", biasAudits(t), `{"config":${JSON.stringify(CONFIG)},"rows":[${rows.join(",")}]}`);
    },
  },
  {
    name: `Bias audit JSON: 1 MB of rows with ${MAX_JSON_ROW_COLUMNS} columns each`,
    expect: [201],
    request: (t) => {
      const extra = Array.from({ length: MAX_JSON_ROW_COLUMNS - 3 }, (_, i) => `"c${i}":0`).join(",");
      const row = (i: number) => `{"g":"${"ab"[i % 2]}","y":${i % 2},"p":${(i >> 1) % 2},${extra}}`;
      const count = Math.floor(JSON_LIMIT / (row(0).length + 1));
      return api(
        t,
        "POST",
        biasAudits(t),
        `{"config":${JSON.stringify(CONFIG)},"rows":[${Array.from({ length: count }, (_, i) => row(i)).join(",")}]}`,
      );
    },
  },
  {
    name: "Bias audit JSON: 1 MB of rows that are not objects",
    expect: [422],
    request: (t) => api(t, "POST", biasAudits(t), `{"config":${JSON.stringify(CONFIG)},"rows":[${fill("0", JSON_LIMIT)}]}`),
  },
  {
    name: `Bias audit CSV: ${CSV_DEFAULT_MAX_FIELDS.toLocaleString("en")} columns a row (1 MB)`,
    expect: [201, 422],
    request: wideCsv,
  },
  {
    name: "Assessment answers: 1 MB of invalid statements",
    expect: [422],
    request: (t) => api(t, "PUT", `/assessments/${t.assessmentId}/responses`, `{"capabilities":[${fill("{}", JSON_LIMIT)}]}`),
  },
  {
    name: "Monitoring snapshot: 1 MB of metric names",
    expect: [422],
    request: (t) =>
      api(t, "POST", `/models/${t.model.slug}/versions/${t.model.version}/monitoring`, `{"metrics":${keysObject('""', JSON_LIMIT)}}`),
  },
  {
    name: "Finalisation: 1 MB of justifications",
    expect: [422],
    request: (t) => api(t, "POST", `/assessments/${t.assessmentId}/finalize`, `{"justifications":${keysObject("0", JSON_LIMIT)}}`),
  },
  {
    name: "Sign-in form: 10,000 repeated fields (30 KB)",
    expect: [413],
    request: () => form(`email=a%40b.c&password=x&${"a=&".repeat(10_000)}`),
  },
  {
    name: `Sign-in form: ${MAX_FORM_FIELDS.toLocaleString("en")} repeated fields (the limit)`,
    expect: [400, 401, 422],
    request: () => form(`email=a%40b.c&password=x&${"a=&".repeat(MAX_FORM_FIELDS - 3)}a=`),
  },
  {
    name: "Sign-in form: 4 MB of empty fields",
    expect: [413],
    request: () => form("a=&".repeat(Math.floor((4 * 1024 * 1024 - 16) / 3))),
  },
];

/** The card's page and its PDF, each with one costly Markdown kind saved in a section. */
HOSTILE_SHAPES.push(
  ...(["page", "PDF"] as const).flatMap((view) =>
    HOSTILE_MARKDOWN.map(([name, text]) => ({
      name: `Model card ${view}: ${name} in a section`,
      expect: [200],
      setup: (t: HostileTargets) => [saveCard(t, text)],
      request: (t: HostileTargets): Send => ({
        path: `/orgs/${t.orgSlug}/models/${t.model.slug}/versions/${t.model.version}/card${view === "PDF" ? ".pdf" : ""}`,
        headers: { cookie: t.cookie },
      }),
    })),
  ),
);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** Asks /healthz every 50 ms until stopped; returns the slowest answer. */
function probeHealth(origin: string): () => Promise<number> {
  const agent = new http.Agent({ keepAlive: false });
  let running = true;
  let slowest = NaN;
  const loop = (async () => {
    while (running) {
      try {
        const reply = await send(agent, origin, { path: "/healthz" });
        if (!(reply.ms <= slowest)) slowest = reply.ms;
      } catch {
        // a refused probe shows as a missing figure
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return async () => {
    running = false;
    await loop;
    agent.destroy();
    return slowest;
  };
}

/** Sends each shape `samples` times (after one uncounted request) and reports the slowest. */
export async function measureHostileInputs(
  origin: string,
  targets: HostileTargets,
  samples = 3,
  log: (line: string) => void = console.log,
): Promise<HostileResult[]> {
  const results: HostileResult[] = [];
  for (const shape of HOSTILE_SHAPES) {
    const request = shape.request(targets);
    const agent = keepAliveAgent(1);
    try {
      for (const setup of shape.setup?.(targets) ?? []) {
        const reply = await send(agent, origin, setup);
        if (reply.status >= 400)
          throw new Error(`${shape.name}: ${setup.method} ${setup.path} answered ${reply.status}: ${replyText(reply)}`);
      }
      await send(agent, origin, request);
      const stopProbe = probeHealth(origin);
      const replies = [];
      for (let i = 0; i < samples; i++) replies.push(await send(agent, origin, request));
      const healthzMaxMs = await stopProbe();
      const status = replies.at(-1)!.status;
      const statusExpected = replies.every((reply) => shape.expect.includes(reply.status));
      const samplesMs = replies.map((reply) => reply.ms);
      const result: HostileResult = {
        name: shape.name,
        method: request.method ?? "GET",
        path: request.path
          .replace(/\/(models\/)[^/]+\/versions\/[^/]+/, "/$1…")
          .replace(/\/orgs\/[^/]+\//, "/orgs/…/")
          .replace(/\/\d+\//, "/…/"),
        bodyKb: Buffer.byteLength(request.body ?? "") / 1024,
        status,
        statusExpected,
        samplesMs,
        maxMs: Math.max(...samplesMs),
        healthzMaxMs,
      };
      results.push(result);
      log(
        `[bench]   ${shape.name}: ${status}${statusExpected ? "" : ` (expected ${shape.expect.join(" or ")}: ${replyText(replies.at(-1)!, 160)})`}, ` +
          `max ${result.maxMs.toFixed(0)} ms (median ${median(samplesMs).toFixed(0)}), /healthz max ${result.healthzMaxMs.toFixed(0)} ms`,
      );
    } finally {
      agent.destroy();
    }
  }
  return results;
}

/** Finds the targets through the API: the first model with a version, and the first assessment listed. */
export async function findHostileTargets(origin: string, token: string, orgSlug: string, cookie: string): Promise<HostileTargets> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${origin}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    return (await response.json()) as T;
  };
  const { models } = await get<{ models: Array<{ slug: string; versionCount: number }> }>("/models?pageSize=100");
  const model = models.find((m) => m.versionCount > 0);
  if (model) {
    const { versions } = await get<{ versions: Array<{ version: string }> }>(`/models/${model.slug}/versions`);
    const version = versions[0]!.version;
    const { assessments } = await get<{ assessments: Array<{ id: number }> }>("/assessments");
    const assessmentId = assessments[0]?.id;
    if (assessmentId === undefined) throw new Error("The organisation has no assessment to aim the hostile inputs at");
    return { token, cookie, orgSlug, model: { slug: model.slug, version }, assessmentId };
  }
  throw new Error("The organisation has no model version to aim the hostile inputs at");
}
