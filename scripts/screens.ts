/**
 * `npm run screens`: pictures of every page, for whoever works on the portal next.
 *
 * Builds when there is no production build, starts the production server on a fresh temporary
 * database (seeded with the demo organisation on start), and writes into `screens/`:
 *   pages/<route>/<role>-<width>.png  every document route of the route manifest, as each demo
 *                                     role that may see it (the authorization matrix's table), at
 *                                     1440 px and 390 px, full page
 *   pdf/<report>-<n>.png              every PDF type (board report, roadmap, model card, bias
 *                                     audit), rendered page by page with `pdftoppm`
 *   index.html                        a contact sheet grouped by page, role and width
 * `npm run screens -- <part> …` pictures only the routes whose id contains one of the parts (and no PDFs),
 * e.g. `npm run screens -- admin.webhooks admin.deliveries`.
 * Route params come from the demo data (tests/setup/page-urls.ts, shared with the 390 px spec). The demo has
 * no webhook: one is registered through the admin's form, pointing at a local receiver, and sent two test
 * events (the first answered 500), so the webhook pages and the deliveries page show real attempts. The demo's own
 * identity provider is set up through the single sign-on form, with two domain claims left for a site administrator.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "@playwright/test";
import { buildDirectory, env } from "../app/utils/env.server";
import { demoPassword } from "../db/seed";
import {
  DEMO_EMAILS,
  REPO_ROOT,
  demoRouteParams,
  documentRouteIds,
  fillPattern,
  loadManifest,
  pageUrl,
  routePattern,
  viewersOf,
  type ManifestRoute,
  type Viewer,
} from "../tests/setup/page-urls";
import { startPortal, stopPortal } from "../tests/setup/portal-server";
import { startWebhookReceiver, type WebhookReceiver } from "../tests/setup/webhook-receiver";

const OUT = path.join(REPO_ROOT, "screens");
const BUILD_DIR = buildDirectory();
const WIDTHS = [1440, 390] as const;
const DEMO_PASSWORD = demoPassword();
/** Viewers shot side by side: two browser pages at a time suit two cores. */
const PARALLEL = 2;

type Shot = { routeId: string; url: string; viewer: Viewer; width: number; file: string; status: number };

/** Who to picture a page as: the roles that may see it; public pages as nobody and as the admin. */
function screenViewers(routeId: string): Viewer[] {
  const viewers = viewersOf(routeId);
  return viewers.includes("anon") ? viewers.filter((v) => v === "anon" || v === "admin") : viewers;
}

const fileSafe = (routeId: string) => routeId.replace(/^routes\//, "").replace(/[^\w.-]+/g, "_");

async function shootViewer(browser: Browser, baseUrl: string, viewer: Viewer, pages: { routeId: string; url: string }[]): Promise<Shot[]> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: WIDTHS[0], height: 900 } });
  const page = await context.newPage();
  if (viewer !== "anon") {
    await page.goto("/login");
    await page.getByLabel("Email").fill(DEMO_EMAILS[viewer]);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/login"));
  }
  const shots: Shot[] = [];
  for (const { routeId, url } of pages) {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      const response = await page.goto(url, { waitUntil: "networkidle" });
      const file = path.join("pages", fileSafe(routeId), `${viewer}-${width}.png`);
      fs.mkdirSync(path.dirname(path.join(OUT, file)), { recursive: true });
      await page.screenshot({ path: path.join(OUT, file), fullPage: true });
      shots.push({ routeId, url, viewer, width, file, status: response?.status() ?? 0 });
    }
  }
  await context.close();
  console.log(`[screens] ${viewer}: ${shots.length} screenshots`);
  return shots;
}

/** Every PDF the manifest serves (`….pdf` routes and the roadmap export as pdf), rendered to PNG pages. */
async function renderPdfs(browser: Browser, baseUrl: string, manifest: Record<string, ManifestRoute>, params: Record<string, string>) {
  const context = await browser.newContext({ baseURL: baseUrl });
  const login = await context.request.post("/login", {
    form: { email: DEMO_EMAILS.admin, password: DEMO_PASSWORD, redirectTo: "" },
    maxRedirects: 0,
  });
  if (login.status() !== 302) throw new Error(`sign-in for the PDFs failed: ${login.status()}`);
  const pdfRoutes = Object.keys(manifest).filter((id) => id.endsWith("[.pdf]") || id.endsWith(".export.$format"));
  const results: { routeId: string; url: string; pages: string[]; error?: string }[] = [];
  fs.mkdirSync(path.join(OUT, "pdf"), { recursive: true });
  for (const routeId of pdfRoutes.sort()) {
    const url = fillPattern(routePattern(manifest, routeId), { ...params, format: "pdf" });
    const name = fileSafe(routeId)
      .replace(/_?\.pdf_?$/, "")
      .replace(/\.export\._format$/, "");
    const response = await context.request.get(url);
    if (!response.ok() || !(response.headers()["content-type"] ?? "").includes("pdf")) {
      results.push({ routeId, url, pages: [], error: `${response.status()} ${response.headers()["content-type"]}` });
      continue;
    }
    const pdfFile = path.join(OUT, "pdf", `${name}.pdf`);
    fs.writeFileSync(pdfFile, await response.body());
    const rendered = spawnSync("pdftoppm", ["-png", "-r", "80", pdfFile, path.join(OUT, "pdf", name)], { encoding: "utf8" });
    if (rendered.status !== 0) {
      results.push({ routeId, url, pages: [], error: `pdftoppm: ${rendered.error?.message ?? rendered.stderr}` });
      continue;
    }
    const pages = fs
      .readdirSync(path.join(OUT, "pdf"))
      .filter((f) => f.startsWith(`${name}-`) && f.endsWith(".png"))
      .sort()
      .map((f) => path.join("pdf", f));
    results.push({ routeId, url, pages });
  }
  await context.close();
  console.log(`[screens] PDFs: ${results.map((r) => `${r.routeId} ${r.error ?? `${r.pages.length} page(s)`}`).join("; ")}`);
  return results;
}

/** Registers a demo webhook through the admin's form and sends it two test events, the first answered 500. */
async function registerDemoWebhook(browser: Browser, baseUrl: string, receiver: WebhookReceiver): Promise<void> {
  const context = await browser.newContext({ baseURL: baseUrl });
  try {
    const login = await context.request.post("/login", {
      form: { email: DEMO_EMAILS.admin, password: DEMO_PASSWORD, redirectTo: "" },
      maxRedirects: 0,
    });
    if (login.status() !== 302) throw new Error(`sign-in for the webhook failed: ${login.status()}`);
    const post = async (form: Record<string, string>) => {
      const response = await context.request.post("/orgs/demo/admin/webhooks?index", { form, maxRedirects: 0 });
      if (!response.ok()) throw new Error(`webhook form ${form.intent}: ${response.status()} ${await response.text()}`);
      return response;
    };
    // Two events: the form sends `events` twice (the request API's `form` takes one value a name).
    const created = await context.request.post("/orgs/demo/admin/webhooks?index", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      data: new URLSearchParams([
        ["intent", "create"],
        ["url", receiver.url],
        ["events", "approval.requested"],
        ["events", "incident.opened"],
        ["description", "Ticketing system (a local receiver started by npm run screens)"],
      ]).toString(),
    });
    if (!created.ok()) throw new Error(`registering the demo webhook failed: ${created.status()}`);
    const page = await context.request.get("/orgs/demo/admin/webhooks");
    const webhookId = /\/orgs\/demo\/admin\/webhooks\/(\d+)/.exec(await page.text())?.[1];
    if (!webhookId) throw new Error("the registered demo webhook is not listed");
    for (const answer of [500, 204]) {
      const before = receiver.receipts.length;
      receiver.failNext(answer === 500 ? 1 : 0);
      await post({ intent: "send-test", webhookId });
      const deadline = Date.now() + 30_000;
      while (receiver.receipts.length === before) {
        if (Date.now() > deadline) throw new Error("the demo webhook's test event was not delivered within 30 s");
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    // The delivery is recorded just after the receiver answers.
    await new Promise((r) => setTimeout(r, 1_000));
  } finally {
    await context.close();
  }
}

/** Sets up the demo's own identity provider through the admin's form and claims two domains (left pending). */
async function configureDemoSso(browser: Browser, baseUrl: string): Promise<void> {
  const context = await browser.newContext({ baseURL: baseUrl });
  try {
    const login = await context.request.post("/login", {
      form: { email: DEMO_EMAILS.admin, password: DEMO_PASSWORD, redirectTo: "" },
      maxRedirects: 0,
    });
    if (login.status() !== 302) throw new Error(`sign-in for single sign-on failed: ${login.status()}`);
    const post = async (fields: Array<[string, string]>) => {
      const response = await context.request.post("/orgs/demo/admin/sso", {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        data: new URLSearchParams(fields).toString(),
        maxRedirects: 0,
      });
      if (!response.ok()) throw new Error(`single sign-on form ${fields[0]![1]}: ${response.status()} ${await response.text()}`);
    };
    await post([
      ["intent", "save"],
      ["issuer", "https://login.microsoftonline.com/demo-tenant/v2.0"],
      ["clientId", "portal-demo"],
      ["clientSecret", "screens-demo-secret"],
      ["groupsClaim", "groups"],
      ["mapGroup", "ml-leads"],
      ["mapRole", "leadership"],
      ["mapGroup", "ml-ethics"],
      ["mapRole", "ethics"],
      ["mapGroup", "ml-eng"],
      ["mapRole", "team"],
      ["defaultRole", ""],
      ["createUsers", "on"],
      ["breakGlassUserId", ""],
      ["enabled", "on"],
    ]);
    for (const domain of ["demo.example", "demo-labs.example"]) {
      await post([
        ["intent", "claim"],
        ["domain", domain],
      ]);
    }
  } finally {
    await context.close();
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function contactSheet(shots: Shot[], pdfs: Awaited<ReturnType<typeof renderPdfs>>): string {
  const byRoute = new Map<string, Shot[]>();
  for (const shot of shots) byRoute.set(shot.routeId, [...(byRoute.get(shot.routeId) ?? []), shot]);
  const img = (file: string, alt: string, width: number) =>
    `<a href="${escapeHtml(file)}"><img src="${escapeHtml(file)}" alt="${escapeHtml(alt)}" loading="lazy" style="width:${width}px"></a>`;
  const sections = [...byRoute.entries()].map(([routeId, list]) => {
    const viewers = [...new Set(list.map((s) => s.viewer))];
    const rows = viewers.map((viewer) => {
      const cells = WIDTHS.map((width) => {
        const shot = list.find((s) => s.viewer === viewer && s.width === width)!;
        const flag = shot.status === 200 ? "" : ` <strong>status ${shot.status}</strong>`;
        return `<figure>${img(shot.file, `${routeId} as ${viewer} at ${width} px`, width === 390 ? 130 : 360)}<figcaption>${width} px${flag}</figcaption></figure>`;
      });
      return `<div class="row"><h3>${escapeHtml(viewer)}</h3>${cells.join("")}</div>`;
    });
    return `<section id="${escapeHtml(fileSafe(routeId))}"><h2>${escapeHtml(routeId)} <small>${escapeHtml(list[0]!.url)}</small></h2>${rows.join("")}</section>`;
  });
  const pdfSections = pdfs.map(
    (p) =>
      `<section><h2>${escapeHtml(p.routeId)} <small>${escapeHtml(p.url)}</small></h2>${
        p.error
          ? `<p><strong>${escapeHtml(p.error)}</strong></p>`
          : `<div class="row">${p.pages.map((f, i) => `<figure>${img(f, `page ${i + 1}`, 220)}<figcaption>page ${i + 1}</figcaption></figure>`).join("")}</div>`
      }</section>`,
  );
  const toc = [...byRoute.keys()].map((id) => `<li><a href="#${escapeHtml(fileSafe(id))}">${escapeHtml(id)}</a></li>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portal screens</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1rem 2rem; color: #1d2430; }
section { border-top: 1px solid #d9dee7; padding: 0.5rem 0 1rem; }
h2 small { font-weight: normal; color: #5b6576; font-size: 0.8rem; }
.row { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.row h3 { width: 7rem; margin: 0; font-size: 0.95rem; }
figure { margin: 0; }
img { border: 1px solid #d9dee7; display: block; }
figcaption { font-size: 0.8rem; color: #5b6576; }
ul.toc { columns: 2; font-size: 0.85rem; }
</style></head><body>
<h1>Portal screens</h1>
<p>${shots.length} page screenshots (1440 px and 390 px, full page) and ${pdfs.reduce((n, p) => n + p.pages.length, 0)} PDF pages, taken ${new Date().toISOString()} on the demo data.</p>
<ul class="toc">${toc}<li><a href="#pdfs">PDFs</a></li></ul>
${sections.join("\n")}
<h1 id="pdfs">PDFs</h1>
${pdfSections.join("\n")}
</body></html>
`;
}

async function main() {
  const started = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-screens-"));
  const receiver = await startWebhookReceiver();
  const databaseFile = path.join(dataDir, "portal.db");
  console.log("[screens] Starting the portal on a copy of the demo data (it builds first when there is no build)...");
  const server = await startPortal({
    databaseFile,
    buildDir: BUILD_DIR,
    timeoutMs: 300_000,
    // The demo webhook's receiver listens on 127.0.0.1.
    env: { PORTAL_SEED: "demo", WEBHOOK_ALLOW_PRIVATE: "1" },
  });
  const baseUrl = server.baseUrl;
  let browser: Browser | undefined;
  try {
    const manifest = await loadManifest(BUILD_DIR);
    fs.rmSync(OUT, { recursive: true, force: true });
    fs.mkdirSync(OUT, { recursive: true });

    browser = await chromium.launch({
      executablePath: env().CHROMIUM_PATH,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
      ],
    });
    await registerDemoWebhook(browser, baseUrl, receiver);
    await configureDemoSso(browser, baseUrl);
    const params = demoRouteParams(databaseFile);
    const pagesByViewer = new Map<Viewer, { routeId: string; url: string }[]>();
    const only = process.argv.slice(2);
    for (const routeId of documentRouteIds(manifest).filter((id) => only.length === 0 || only.some((part) => id.includes(part)))) {
      const url = pageUrl(manifest, routeId, params);
      for (const viewer of screenViewers(routeId)) pagesByViewer.set(viewer, [...(pagesByViewer.get(viewer) ?? []), { routeId, url }]);
    }

    const queue = [...pagesByViewer.entries()];
    const shots: Shot[] = [];
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) shots.push(...(await shootViewer(browser!, baseUrl, next[0], next[1])));
      }),
    );
    shots.sort((a, b) => a.routeId.localeCompare(b.routeId) || a.viewer.localeCompare(b.viewer) || b.width - a.width);
    const pdfs = only.length ? [] : await renderPdfs(browser, baseUrl, manifest, params);
    fs.writeFileSync(path.join(OUT, "index.html"), contactSheet(shots, pdfs));
    const notOk = shots.filter((s) => s.status !== 200);
    if (notOk.length) console.warn(`[screens] not 200: ${notOk.map((s) => `${s.url} as ${s.viewer} (${s.status})`).join(", ")}`);
    console.log(
      `[screens] ${shots.length} screenshots and ${pdfs.length} PDFs in ${((Date.now() - started) / 1000).toFixed(0)} s: open screens/index.html`,
    );
  } finally {
    await browser?.close();
    await receiver.close();
    await stopPortal(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
