/**
 * Hostile bias-audit uploads against the real production server, through the
 * three ways a CSV arrives: the API's multipart endpoint, the upload form's
 * JSON twin (the progress-bar upload) and the plain form post.
 *
 * - Property: bad encodings (UTF-16, Latin-1, overlong and truncated UTF-8),
 *   ragged rows, 100,000-column headers, empty and header-only files, huge
 *   fields, unterminated quotes, random bytes and random CSV of hostile cells,
 *   with valid or hostile configurations. Never a 5xx; a refusal names the
 *   problem (API envelope, `{errors}`, or the form page); a refused upload
 *   writes nothing; an accepted one is one audit with its audit event.
 * - Named cases: each hostile file gets the specific, clear refusal.
 * - Limits while streaming: bodies larger than the limit (chunked, with no
 *   length; declared too large; endless part headers, preamble, parts) are
 *   answered with 413 while the client is still sending, the server's memory
 *   stays flat, and nothing of the upload is left on disk.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MAX_UPLOAD_BYTES } from "../../app/utils/upload.server";
import { MAX_FORM_BYTES } from "../../app/utils/form-action.server";
import { acquirePortalBuild, killAllPortals } from "../setup/portal-server";
import {
  describeBody,
  expectErrorEnvelope,
  expectAudited,
  expectUnchanged,
  fingerprint,
  FUZZ_SEED,
  fuzzRuns,
  hostileString,
  mutatedJsonBody,
  checkEachTestLeavesTheServerSound,
  startHostileEnv,
  type Fingerprint,
  type HostileEnv,
  type RawBody,
} from "./hostile-fixtures";
import { send, type Reply } from "../setup/api-client";

let env: HostileEnv;
let releaseBuild = () => {};
let baseline: Fingerprint;
/** The server's temp directory: spooled uploads live here while they are read, and never after. */
let serverTmp: string;

const MODEL = "upload-target";
const VERSION = "1.0.0";
const API_PATH = `/api/v1/models/${MODEL}/versions/${VERSION}/bias-audits`;
const UI_JSON_PATH = `/orgs/demo/models/${MODEL}/versions/${VERSION}/bias-audits/upload`;
const UI_FORM_PATH = `/orgs/demo/models/${MODEL}/versions/${VERSION}/bias-audits/new`;
const MB = 1024 * 1024;

const CONFIG = {
  groupColumns: ["g"],
  labelColumn: "y",
  positiveLabels: ["1"],
  predictionColumn: "p",
  positivePredictions: ["1"],
  minGroupSize: 1,
};
const FORM_CONFIG = {
  groupColumns: "g",
  labelColumn: "y",
  positiveLabels: "1",
  mode: "prediction",
  predictionColumn: "p",
  positivePredictions: "1",
  minGroupSize: "1",
};

beforeAll(async () => {
  const build = acquirePortalBuild();
  releaseBuild = build.release;
  serverTmp = fs.mkdtempSync(path.join(os.tmpdir(), "portal-hostile-server-tmp-"));
  env = await startHostileEnv(build.buildDir, "portal-hostile-uploads-", { TMPDIR: serverTmp });
  const created = await send(env.server.baseUrl, "/api/v1/models", {
    method: "POST",
    headers: { authorization: `Bearer ${env.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Upload target", slug: MODEL, riskTier: "high" }),
  });
  expect(created.status, created.text).toBe(201);
  const version = await send(env.server.baseUrl, `/api/v1/models/${MODEL}/versions`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.token}`, "content-type": "application/json" },
    body: JSON.stringify({ version: VERSION }),
  });
  expect(version.status, version.text).toBe(201);
  baseline = fingerprint(env.db);
}, 240_000);

// A fresh baseline per test, so one failure does not make the next tests fail too.
beforeEach(() => {
  if (env) baseline = fingerprint(env.db);
});
checkEachTestLeavesTheServerSound(() => env);
// Nothing of any upload is left on disk once the test's requests are answered (removed right after them).
afterEach(async () => {
  if (serverTmp) await expect.poll(() => fs.readdirSync(serverTmp).filter((name) => name.startsWith("portal-upload-"))).toEqual([]);
});

afterAll(async () => {
  await env?.stop();
  killAllPortals();
  if (serverTmp) fs.rmSync(serverTmp, { recursive: true, force: true });
  releaseBuild();
});

/* ------------------------------------------------------------------ */
/* Sending uploads                                                     */
/* ------------------------------------------------------------------ */

type Channel = "api" | "ui-json" | "ui-form";

function fileBlob(content: RawBody): Blob {
  return new Blob([content], { type: "text/csv" });
}

async function upload(channel: Channel, content: RawBody, config?: string): Promise<Reply> {
  const form = new FormData();
  if (channel === "api") {
    form.append("config", config ?? JSON.stringify(CONFIG));
  } else {
    const fields: Record<string, string> = config === undefined ? FORM_CONFIG : { ...FORM_CONFIG, groupColumns: config };
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
  }
  form.append("file", fileBlob(content), "predictions.csv");
  const headers: Record<string, string> = channel === "api" ? { authorization: `Bearer ${env.token}` } : { cookie: env.cookies.team };
  return send(env.server.baseUrl, channel === "api" ? API_PATH : channel === "ui-json" ? UI_JSON_PATH : UI_FORM_PATH, {
    method: "POST",
    headers,
    body: form,
  });
}

/** The refusal a channel gives: the API's envelope, the JSON twin's `{errors}`, the form page. Returns the messages. */
function refusalMessages(channel: Channel, reply: Reply, context: string): string[] {
  if (channel === "api")
    return expectErrorEnvelope(reply, context)
      .error.issues.map((i) => `${i.path}: ${i.message}`)
      .concat(JSON.parse(reply.text).error.message);
  if (channel === "ui-json") {
    expect(reply.contentType, context).toMatch(/application\/json/);
    const body = JSON.parse(reply.text) as { errors?: Record<string, string> };
    const messages = Object.entries(body.errors ?? {}).map(([field, message]) => `${field}: ${message}`);
    expect(messages.length, `${context}: ${reply.text.slice(0, 300)}`).toBeGreaterThan(0);
    return messages;
  }
  expect(reply.contentType, context).toMatch(/text\/html/);
  // What the page shows (a plain form post works without JavaScript), not the hydration data.
  return [unescapeHtml(reply.text.replace(/<script[\s\S]*?<\/script>/g, ""))];
}

function unescapeHtml(html: string): string {
  return html
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** No 5xx; a refusal is clear and writes nothing; an acceptance is one audit with its audit event. */
function checkUpload(channel: Channel, reply: Reply, context: string): string[] {
  expect(reply.status, `${context} → ${reply.text.slice(0, 300)}`).toBeLessThan(500);
  const after = fingerprint(env.db);
  let messages: string[] = [];
  if (reply.status >= 400) {
    messages = refusalMessages(channel, reply, context);
    expectUnchanged(baseline, after, context);
  } else {
    expectAudited(baseline, after, context);
    expect(after.counts.bias_audits, context).toBe(baseline.counts.bias_audits! + 1);
  }
  baseline = after;
  expect(
    fs.readdirSync(serverTmp).filter((name) => name.startsWith("portal-upload-")),
    `${context}: spooled upload left on disk`,
  ).toEqual([]);
  return messages;
}

/* ------------------------------------------------------------------ */
/* Hostile files                                                       */
/* ------------------------------------------------------------------ */

const bytes = (...parts: Array<string | number[]>) =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p)))));
const rows = (n: number, row: (i: number) => string) => Array.from({ length: n }, (_, i) => row(i)).join("");

/** Named hostile files, the status each gets, and what its refusal must say. */
const NAMED_FILES: Array<{ name: string; content: () => RawBody; status: number; says?: RegExp }> = [
  { name: "empty file", content: () => "", status: 422, says: /empty|header row/i },
  { name: "byte order mark only", content: () => "\ufeff", status: 422, says: /empty/i },
  { name: "only line breaks", content: () => "\n\r\n\n", status: 422, says: /empty/i },
  { name: "header only", content: () => "g,y,p\n", status: 422, says: /no usable rows/i },
  { name: "UTF-16 LE with BOM", content: () => new Uint8Array(Buffer.from("\ufeffg,y,p\na,1,1\n", "utf16le")), status: 422, says: /UTF-8/ },
  {
    name: "UTF-16 BE with BOM",
    content: () => new Uint8Array(Buffer.from("\ufeffg,y,p\na,1,1\n", "utf16le").swap16()),
    status: 422,
    says: /UTF-8/,
  },
  // What the upload form says in the browser (`notCsvReason`), on every channel since the server checks the file's beginning too.
  { name: "Latin-1", content: () => new Uint8Array(Buffer.from("g,y,p\ncaf\u00e9,1,1\n", "latin1")), status: 422, says: /not UTF-8 text/ },
  { name: "overlong UTF-8", content: () => bytes("g,y,p\na,1,1\nb", [0xc0, 0xaf], ",1,0\n"), status: 422, says: /not UTF-8 text/ },
  { name: "lone continuation byte", content: () => bytes("g,y,p\n", [0x80], ",1,1\n"), status: 422, says: /UTF-8/ },
  { name: "multi-byte character cut at the end", content: () => bytes("g,y,p\na,1,1\n\u20ac", [0xe2, 0x82]), status: 422, says: /UTF-8/ },
  { name: "unterminated quote", content: () => 'g,y,p\na,1,1\n"b,1,0\n', status: 422, says: /unterminated quote/i },
  {
    name: "100,000-column header",
    content: () => `${Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(",")}\na,1,1\n`,
    status: 422,
    says: /Row 1.*more than 10000 fields/,
  },
  { name: "100,000-column data row", content: () => `g,y,p\n${",".repeat(100_000)}\n`, status: 422, says: /Row 2.*more than 10000 fields/ },
  {
    name: "field over a million characters",
    content: () => `g,y,p\n${"a".repeat(1_000_001)},1,1\n`,
    status: 422,
    says: /Row 2.*longer than 1000000/,
  },
  {
    name: "quoted field over a million characters",
    content: () => `g,y,p\n"${"a\n".repeat(500_001)}",1,1\n`,
    status: 422,
    says: /Row 2.*longer than 1000000/,
  },
  { name: "header without the configured columns", content: () => "a,b,c\n1,2,3\n", status: 422, says: /Unknown column "g"/ },
  { name: "NUL bytes", content: () => "g,y,p\n\u0000a,1,1\nb,0,0\n", status: 422, says: /This file is not text/ },
  { name: "RTL marks", content: () => "g,y,p\na\u202e,1,1\nb\u200f,0,0\n", status: 201 },
  {
    name: "a PDF",
    content: () => bytes("%PDF-1.7\n%", [0xe2, 0xe3, 0xcf, 0xd3], "\n1 0 obj\n"),
    status: 422,
    says: /This file is a PDF document, not a CSV file/,
  },
  { name: "ragged rows", content: () => "g,y,p\na,1,1,extra,extra\nb,1\nc\n\na,0,0\nb,1,1,\n", status: 201 },
  { name: "lone CR line breaks", content: () => "g,y,p\ra,1,1\rb,0,0\r", status: 422, says: /Unknown column/ },
  {
    name: "2,000 distinct groups (an identifier as the group column)",
    content: () => `g,y,p\n${rows(2_000, (i) => `id-${i},${i % 2},1\n`)}`,
    status: 422,
    says: /more than 1,000 distinct groups/,
  },
  { name: "a 300-character group value", content: () => `g,y,p\n${"x".repeat(300)},1,1\n`, status: 422, says: /limited to 200 characters/ },
  { name: "formula-like group names", content: () => "g,y,p\n=cmd|' /C calc'!A0,1,1\n\"+SUM(1,2)\",0,1\n@x,1,0\n-1,0,0\n", status: 201 },
  { name: "no positive labels", content: () => "g,y,p\na,0,1\nb,0,0\n", status: 422, says: /positive label/ },
];

const csvCell = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("a", "b", "1", "0", "", " ", '"', '""', "x,y", '"q"', "1e309", "NaN") },
  { weight: 2, arbitrary: hostileString.filter((s) => s.length < 2_000) },
);
const lineBreak = fc.constantFrom("\n", "\r\n", "\r", "\n\n");
const generatedCsv: fc.Arbitrary<RawBody> = fc
  .tuple(
    fc.oneof(
      fc.constant("g,y,p"),
      fc.array(csvCell, { maxLength: 5 }).map((cells) => cells.join(",")),
    ),
    fc.array(fc.tuple(fc.array(csvCell, { maxLength: 6 }), lineBreak), { maxLength: 30 }),
    fc.boolean(),
  )
  .map(([header, body, bom]) => `${bom ? "\ufeff" : ""}${header}\n${body.map(([cells, br]) => cells.join(",") + br).join("")}`);

const hostileFile: fc.Arbitrary<RawBody> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...NAMED_FILES.filter((f) => !/100,000|million/.test(f.name)).map((f) => f.content())) },
  { weight: 4, arbitrary: generatedCsv },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 1, arbitrary: generatedCsv.map((csv) => bytes(typeof csv === "string" ? csv : "", [0xff, 0xfe, 0xc3], "\n")) },
);

describe("hostile CSV files", () => {
  it("property: every channel, every hostile file and configuration: never 5xx, a clear refusal, no partial write", async () => {
    const config = fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: mutatedJsonBody(CONFIG) },
      { weight: 1, arbitrary: hostileString.filter((s) => s.length < 10_000) },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Channel>("api", "ui-json", "ui-form"), hostileFile, config, async (channel, file, cfg) => {
        const reply = await upload(channel, file, cfg);
        checkUpload(channel, reply, `${channel} file=${describeBody(file)} config=${describeBody(cfg)}`);
      }),
      { seed: FUZZ_SEED, numRuns: fuzzRuns(60), endOnFailure: !process.env.HOSTILE_SHRINK },
    );
  }, 240_000);

  for (const file of NAMED_FILES) {
    it(`${file.name}: ${file.status}${file.says ? ` naming the problem (${file.says.source})` : ""}, on every channel`, async () => {
      const content = file.content();
      for (const channel of ["api", "ui-json", "ui-form"] as const) {
        const reply = await upload(channel, content);
        const context = `${channel} ${file.name}`;
        // The plain form answers a success with a redirect to the audit.
        expect(reply.status, `${context}: ${reply.text.slice(0, 500)}`).toBe(
          channel === "ui-form" && file.status === 201 ? 302 : file.status,
        );
        const messages = checkUpload(channel, reply, context);
        if (file.says) expect(messages.join("\n"), context).toMatch(file.says);
      }
    }, 60_000);
  }

  it("the API's multipart endpoint: a missing, unreadable or hostile config part is a clear 400 (unreadable) or 422", async () => {
    const cases: Array<{ name: string; form: () => FormData; status: number; says: RegExp }> = [
      { name: "no config part", form: () => withFile(new FormData()), status: 422, says: /"path":"config","message":"Missing"/ },
      { name: "config not JSON", form: () => withFile(field("config", "{not json")), status: 400, says: /config/ },
      { name: "config a JSON array", form: () => withFile(field("config", "[]")), status: 422, says: /"path":"config"/ },
      {
        name: "config with __proto__",
        form: () => withFile(field("config", '{"__proto__":{"groupColumns":["g"]}}')),
        status: 422,
        says: /config\.groupColumns/,
      },
      { name: "no file part", form: () => field("config", JSON.stringify(CONFIG)), status: 422, says: /file/ },
      { name: "config over 64 KB", form: () => withFile(field("config", `"${"a".repeat(70_000)}"`)), status: 413, says: /limited/ },
    ];
    for (const c of cases) {
      const reply = await send(env.server.baseUrl, API_PATH, {
        method: "POST",
        headers: { authorization: `Bearer ${env.token}` },
        body: c.form(),
      });
      expect(reply.status, `${c.name}: ${reply.text}`).toBe(c.status);
      expect(reply.text, c.name).toMatch(c.says);
      checkUpload("api", reply, c.name);
    }
  });
});

function field(name: string, value: string): FormData {
  const form = new FormData();
  form.append(name, value);
  return form;
}

function withFile(form: FormData): FormData {
  form.append("file", fileBlob("g,y,p\na,1,1\nb,0,0\n"), "p.csv");
  return form;
}

/* ------------------------------------------------------------------ */
/* Limits while streaming                                              */
/* ------------------------------------------------------------------ */

function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // exited, or not Linux
  }
  return [pid, ...children.flatMap(processTree)];
}

/** Resident memory (bytes) of the server and its workers, summed. */
function serverRss(): number {
  let total = 0;
  for (const pid of processTree(env.server.child.pid!)) {
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
      total += Number(kb ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

/** Samples the server's memory while `work` runs; returns its result and the largest growth seen. */
async function watchMemory<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const before = serverRss();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, serverRss())), 25);
  try {
    const result = await work();
    peak = Math.max(peak, serverRss());
    return { result, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Sends `body` and returns the answer with how much of the body the client had
 * produced when the answer arrived (the server may keep reading a little after it).
 */
async function sendStreaming(urlPath: string, headers: Record<string, string>, body: ReturnType<typeof endlessBody>) {
  const res = await fetch(`${env.server.baseUrl}${urlPath}`, {
    method: "POST",
    headers,
    body: body.stream,
    duplex: "half",
    redirect: "manual",
  } as RequestInit);
  const sentAtAnswer = body.sent();
  const text = await res.text();
  const reply: Reply = {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    text,
    location: res.headers.get("location"),
    headers: res.headers,
  };
  return { reply, sentAtAnswer };
}

/** A request body that never ends on its own: `head`, then `unit` repeated, until `cap` bytes (a safety stop). */
function endlessBody(head: string, unit: string, cap: number) {
  const encoder = new TextEncoder();
  const chunk = encoder.encode(unit.repeat(Math.ceil((256 * 1024) / unit.length)));
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const first = encoder.encode(head);
      sent += first.byteLength;
      controller.enqueue(first);
    },
    pull(controller) {
      if (sent >= cap) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, sent: () => sent };
}

const BOUNDARY = "----hostile-boundary";
const partHead = (name: string, filename?: string) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ""}\r\n${filename ? "Content-Type: text/csv\r\n" : ""}\r\n`;

type StreamCase = { name: string; channel: Channel; head: string; unit: string; limit: number; says: RegExp };

const STREAM_CASES: StreamCase[] = [
  {
    name: "a CSV larger than the upload limit, to the API",
    channel: "api",
    head: `${partHead("config")}${JSON.stringify(CONFIG)}\r\n${partHead("file", "big.csv")}g,y,p\n`,
    unit: "a,1,1\n",
    limit: MAX_UPLOAD_BYTES,
    says: /256 MB/,
  },
  {
    name: "a CSV larger than the upload limit, to the upload form's JSON twin",
    channel: "ui-json",
    head: `${partHead("groupColumns")}g\r\n${partHead("file", "big.csv")}g,y,p\n`,
    unit: "a,1,1\n",
    limit: MAX_UPLOAD_BYTES,
    says: /256 MB/,
  },
  {
    name: "a CSV larger than the upload limit, to the plain upload form",
    channel: "ui-form",
    head: `${partHead("file", "big.csv")}g,y,p\n`,
    unit: "b,0,1\n",
    limit: MAX_UPLOAD_BYTES,
    says: /256 MB/,
  },
  {
    name: "an endless part header",
    channel: "api",
    head: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="config"\r\nX-Junk: `,
    unit: "j",
    limit: MB,
    says: /limited/,
  },
  { name: "an endless preamble before the first boundary", channel: "api", head: "", unit: "preamble ", limit: MB, says: /limited/ },
  { name: "endless small parts", channel: "ui-json", head: "", unit: `${partHead("f")}v\r\n`, limit: MB, says: /limited/ },
];

function streamPath(channel: Channel): { path: string; headers: Record<string, string> } {
  if (channel === "api") return { path: API_PATH, headers: { authorization: `Bearer ${env.token}` } };
  return { path: channel === "ui-json" ? UI_JSON_PATH : UI_FORM_PATH, headers: { cookie: env.cookies.team } };
}

describe("upload limits are enforced while streaming, with a clear 413", () => {
  for (const c of STREAM_CASES) {
    it(`${c.name}: 413 before the client is done, memory stays flat, nothing kept`, async () => {
      // The client would send 4× the limit (and at least 64 MB more); the refusal must come long before.
      const cap = Math.max(c.limit * 4, c.limit + 64 * MB);
      const body = endlessBody(c.head, c.unit, cap);
      const { path: urlPath, headers } = streamPath(c.channel);
      const { result, growth } = await watchMemory(() =>
        sendStreaming(urlPath, { ...headers, "content-type": `multipart/form-data; boundary=${BOUNDARY}` }, body),
      );
      const { reply, sentAtAnswer } = result;
      if (process.env.HTTP_DEBUG)
        console.log(`${c.name}: ${reply.status} after ${Math.round(sentAtAnswer / MB)} MB sent, memory +${Math.round(growth / MB)} MB`);
      expect(reply.status, reply.text.slice(0, 300)).toBe(413);
      // What the client has pushed includes socket buffers and whatever it wrote while a busy machine
      // delivered the answer: allow half the limit (at least 48 MB) on top, still far below the 4× it would send.
      expect(sentAtAnswer, "the server read the whole body before refusing it").toBeLessThan(c.limit + Math.max(48 * MB, c.limit / 2));
      expect(growth, `server memory grew by ${Math.round(growth / MB)} MB`).toBeLessThan(96 * MB);
      const messages = checkUpload(c.channel, reply, c.name);
      expect(messages.join("\n")).toMatch(c.says);
      expect((await send(env.server.baseUrl, "/healthz")).status).toBe(200);
    }, 120_000);
  }

  it("a declared Content-Length over the limit is refused at once, before the body is sent", async () => {
    const { port } = env.server;
    const reply = await new Promise<{ status: number; body: string; sentBytes: number }>((resolve, reject) => {
      const request = http.request({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: API_PATH,
        headers: {
          authorization: `Bearer ${env.token}`,
          "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
          "content-length": String(MAX_UPLOAD_BYTES + 100 * MB),
        },
      });
      request.on("response", (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, body: text, sentBytes: request.socket?.bytesWritten ?? 0 });
          request.destroy();
        });
      });
      request.on("error", reject);
      request.write(partHead("file", "declared.csv"));
      // Nothing more: the answer must come without the other 356 MB.
    });
    expect(reply.status, reply.body).toBe(413);
    expect(JSON.parse(reply.body).error.code).toBe("payload_too_large");
    expect(reply.sentBytes).toBeLessThan(MB);
    expectUnchanged(baseline, fingerprint(env.db), "declared content-length");
  });

  it("JSON bodies (1 MB) and form posts (4 MB) are limited while streaming too", async () => {
    const cases: Array<{ name: string; path: string; headers: Record<string, string>; head: string; limit: number }> = [
      {
        name: "API JSON",
        path: "/api/v1/models",
        headers: { authorization: `Bearer ${env.token}`, "content-type": "application/json" },
        head: '{"name":"',
        limit: 1_000_000,
      },
      {
        name: "API bias audit as JSON",
        path: API_PATH,
        headers: { authorization: `Bearer ${env.token}`, "content-type": "application/json" },
        head: `{"config":${JSON.stringify(CONFIG)},"rows":[`,
        limit: 1_000_000,
      },
      {
        name: "model form",
        path: "/orgs/demo/models/new",
        headers: { cookie: env.cookies.team, "content-type": "application/x-www-form-urlencoded" },
        head: "name=",
        limit: MAX_FORM_BYTES,
      },
      {
        name: "sign-in form",
        path: "/login",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        head: "email=",
        limit: MAX_FORM_BYTES,
      },
    ];
    for (const c of cases) {
      const body = endlessBody(c.head, c.name === "API bias audit as JSON" ? '{"g":"a","y":1,"p":1},' : "a", c.limit + 256 * MB);
      const { result, growth } = await watchMemory(() => sendStreaming(c.path, c.headers, body));
      const { reply, sentAtAnswer } = result;
      if (process.env.HTTP_DEBUG)
        console.log(`${c.name}: ${reply.status} after ${Math.round(sentAtAnswer / MB)} MB sent, memory +${Math.round(growth / MB)} MB`);
      expect(reply.status, `${c.name}: ${reply.text.slice(0, 200)}`).toBe(413);
      expect(sentAtAnswer, c.name).toBeLessThan(c.limit + 48 * MB);
      expect(growth, `${c.name}: server memory grew by ${Math.round(growth / MB)} MB`).toBeLessThan(96 * MB);
      if (c.path.startsWith("/api/")) expect(JSON.parse(reply.text).error.code).toBe("payload_too_large");
      expectUnchanged(baseline, fingerprint(env.db), c.name);
    }
  }, 120_000);
});

describe("after a refusal the connection carries the next request", () => {
  it("413 and 415 refusals drop the unread rest of the body: the client's next request is answered at once", async () => {
    const api = { authorization: `Bearer ${env.token}` };
    const team = { cookie: env.cookies.team };
    const multipart = (fields: Record<string, string>) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append("file", fileBlob("g,y,p\na,1,1\n"), "p.csv");
      return form;
    };
    const cases: Array<{ name: string; path: string; init: RequestInit; status: number }> = [
      {
        name: "JSON over 1 MB",
        path: "/api/v1/models",
        init: { headers: { ...api, "content-type": "application/json" }, body: JSON.stringify({ name: "a".repeat(1_500_000) }) },
        status: 413,
      },
      {
        name: "form over 4 MB",
        path: "/orgs/demo/models/new",
        init: { headers: { ...team, "content-type": "application/x-www-form-urlencoded" }, body: `name=${"a".repeat(4_500_000)}` },
        status: 413,
      },
      {
        name: "JSON posted to a form",
        path: "/orgs/demo/models/new",
        init: { headers: { ...team, "content-type": "application/json" }, body: JSON.stringify({ name: "a".repeat(300_000) }) },
        status: 415,
      },
      {
        name: "upload that is not multipart",
        path: UI_JSON_PATH,
        init: { headers: { ...team, "content-type": "text/csv" }, body: "g,y,p\n".repeat(100_000) },
        status: 415,
      },
      {
        name: "upload with a 300 KB field",
        path: API_PATH,
        init: { headers: api, body: multipart({ config: "a".repeat(300_000) }) },
        status: 413,
      },
    ];
    for (const c of cases) {
      const refused = await send(env.server.baseUrl, c.path, { method: "POST", ...c.init });
      expect(refused.status, `${c.name}: ${refused.text.slice(0, 200)}`).toBe(c.status);
      const started = Date.now();
      const next = await send(env.server.baseUrl, "/healthz", { signal: AbortSignal.timeout(4_000) });
      expect(next.status, c.name).toBe(200);
      expect(Date.now() - started, `${c.name}: the next request waited`).toBeLessThan(1_000);
    }
    expectUnchanged(baseline, fingerprint(env.db), "refusals");
  }, 60_000);
});
