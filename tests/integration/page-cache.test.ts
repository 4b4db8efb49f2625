/**
 * The rendered-page cache (app/modules/http/page-cache*.ts) under the real
 * server: a repeat request is served with a fresh nonce, and no one ever sees
 * a page that a write, another account or a sign-out has made stale.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedDb } from "../../db/client";
import { postJson, send, type Reply } from "../setup/api-client";
import { acquirePortalBuild, killAllPortals, startPortal, stopPortal, tempDatabase, type PortalServer } from "../setup/portal-server";
import { signIn } from "../setup/sign-in";
import { seedOrgWithToken, TEST_PASSWORD } from "../setup/test-orgs";

let buildDir = "build-page-cache";
let releaseBuild = () => {};
let file = "";
let token = "";
let server: PortalServer;
let second: PortalServer;

beforeAll(async () => {
  ({ buildDir, release: releaseBuild } = acquirePortalBuild());
  file = tempDatabase("portal-page-cache-");
  ({ token } = await seedOrgWithToken(file, "acme"));
  await seedOrgWithToken(file, "beta");
  // One worker each, so "the second request" reaches the cache the first one filled.
  [server, second] = await Promise.all([
    startPortal({ databaseFile: file, buildDir, env: { WEB_CONCURRENCY: "1" } }),
    startPortal({ databaseFile: file, buildDir, env: { WEB_CONCURRENCY: "1" } }),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([stopPortal(server), stopPortal(second)]);
  killAllPortals();
  closeSharedDb();
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  releaseBuild();
});

const cacheOutcome = (res: Reply) => res.headers.get("x-page-cache");
const cspNonce = (res: Reply) => /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];
const pageNonces = (res: Reply) => [...new Set([...res.text.matchAll(/nonce="([^"]*)"/g)].map((m) => m[1]))];

describe("the rendered-page cache", () => {
  it("serves a repeat request from the cache, with the new request's nonce in the header and the page", async () => {
    const { cookie } = await signIn(server.baseUrl, "admin@acme.test", TEST_PASSWORD);
    const first = await send(server.baseUrl, "/orgs/acme/models", { cookie });
    const again = await send(server.baseUrl, "/orgs/acme/models", { cookie });
    expect(first.status).toBe(200);
    expect([cacheOutcome(first), cacheOutcome(again)]).toEqual(["miss", "hit"]);
    expect(cspNonce(first)).not.toBe(cspNonce(again));
    for (const res of [first, again]) expect(pageNonces(res)).toEqual([cspNonce(res)]);
    expect(again.text.replaceAll(cspNonce(again)!, "")).toBe(first.text.replaceAll(cspNonce(first)!, ""));
  });

  it("sends a cached page gzipped to clients that take gzip, and plain with its length to others", async () => {
    const { cookie } = await signIn(server.baseUrl, "admin@acme.test", TEST_PASSWORD);
    const plain = await send(server.baseUrl, "/orgs/acme", { cookie, headers: { "accept-encoding": "identity" } });
    const gzipped = await fetch(`${server.baseUrl}/orgs/acme`, { headers: { cookie, "accept-encoding": "gzip" } });
    expect(cacheOutcome(plain)).toBe("miss");
    expect(gzipped.headers.get("x-page-cache")).toBe("hit");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(Number(plain.headers.get("content-length"))).toBe(Buffer.byteLength(plain.text));
    expect(gzipped.headers.get("content-encoding")).toBe("gzip");
    expect(gzipped.headers.get("vary")).toMatch(/accept-encoding/i);
    // fetch inflates it; the page is the same apart from the nonce.
    const text = await gzipped.text();
    const nonce = /'nonce-([^']+)'/.exec(gzipped.headers.get("content-security-policy") ?? "")![1]!;
    expect(text.replaceAll(nonce, "")).toBe(plain.text.replaceAll(cspNonce(plain)!, ""));
  });

  it("renders again after a write, whichever server process made it", async () => {
    const { cookie } = await signIn(server.baseUrl, "admin@acme.test", TEST_PASSWORD);
    await send(server.baseUrl, "/orgs/acme/models", { cookie });
    expect(cacheOutcome(await send(server.baseUrl, "/orgs/acme/models", { cookie }))).toBe("hit");

    const created = await postJson(second.baseUrl, token, "/api/v1/models", { name: "Written Elsewhere", slug: "written-elsewhere", riskTier: "minimal" });
    expect(created.status, created.text).toBe(201);
    const after = await send(server.baseUrl, "/orgs/acme/models", { cookie });
    expect(cacheOutcome(after)).toBe("miss");
    expect(after.text).toContain("Written Elsewhere");

    const here = await postJson(server.baseUrl, token, "/api/v1/models", { name: "Written Here", slug: "written-here", riskTier: "minimal" });
    expect(here.status, here.text).toBe(201);
    const afterOwn = await send(server.baseUrl, "/orgs/acme/models", { cookie });
    expect(cacheOutcome(afterOwn)).toBe("miss");
    expect(afterOwn.text).toContain("Written Here");
  });

  it("never serves one account's page to another cookie", async () => {
    const acme = await signIn(server.baseUrl, "admin@acme.test", TEST_PASSWORD);
    const beta = await signIn(server.baseUrl, "admin@beta.test", TEST_PASSWORD);
    for (let i = 0; i < 2; i++) expect((await send(server.baseUrl, "/orgs/acme", { cookie: acme.cookie })).status).toBe(200);
    const outsider = await send(server.baseUrl, "/orgs/acme", { cookie: beta.cookie });
    expect(outsider.status).toBe(404);
    expect(outsider.text).not.toContain("Org acme");
    const anonymous = await send(server.baseUrl, "/orgs/acme");
    expect(anonymous.status).toBe(302);
    const extraCookie = await send(server.baseUrl, "/orgs/acme", { cookie: `${acme.cookie}; theme=dark` });
    expect(cacheOutcome(extraCookie)).toBe("miss");
  });

  it("ends with the session: after signing out, the old cookie is sent to sign in", async () => {
    const { cookie } = await signIn(server.baseUrl, "admin@beta.test", TEST_PASSWORD);
    await send(server.baseUrl, "/orgs/beta", { cookie });
    expect(cacheOutcome(await send(server.baseUrl, "/orgs/beta", { cookie }))).toBe("hit");
    const signOut = await send(server.baseUrl, "/logout", { method: "POST", cookie });
    expect(signOut.status).toBe(302);
    const replayed = await send(server.baseUrl, "/orgs/beta", { cookie });
    expect(replayed.status).toBe(302);
    expect(replayed.location).toBe("/login?redirectTo=%2Forgs%2Fbeta");
  });

  it("keeps no errors, redirects, downloads or API answers", async () => {
    const { cookie } = await signIn(server.baseUrl, "admin@acme.test", TEST_PASSWORD);
    for (let i = 0; i < 2; i++) {
      const missing = await send(server.baseUrl, "/orgs/acme/models/no-such-model", { cookie });
      expect(missing.status).toBe(404);
      expect(cacheOutcome(missing)).toBeNull();
      const csv = await send(server.baseUrl, "/orgs/acme/audit.csv", { cookie });
      expect(csv.status).toBe(200);
      expect(cacheOutcome(csv)).toBeNull();
      const api = await send(server.baseUrl, "/api/v1/models", { bearer: token });
      expect(api.status).toBe(200);
      expect(cacheOutcome(api)).toBeNull();
    }
  });

  it("caches Remix data requests of client-side navigations too", async () => {
    const { cookie } = await signIn(server.baseUrl, "admin@acme.test", TEST_PASSWORD);
    const first = await send(server.baseUrl, "/orgs/acme/models.data", { cookie });
    const again = await send(server.baseUrl, "/orgs/acme/models.data", { cookie });
    expect(first.status).toBe(200);
    expect([cacheOutcome(first), cacheOutcome(again)]).toEqual(["miss", "hit"]);
    expect(again.text).toBe(first.text);
  });

  it("is off with PORTAL_PAGE_CACHE=off", async () => {
    const uncached = await startPortal({ databaseFile: file, buildDir, env: { WEB_CONCURRENCY: "1", PORTAL_PAGE_CACHE: "off" } });
    try {
      const { cookie } = await signIn(uncached.baseUrl, "admin@acme.test", TEST_PASSWORD);
      for (let i = 0; i < 2; i++) {
        const res = await send(uncached.baseUrl, "/orgs/acme/models", { cookie });
        expect(res.status).toBe(200);
        expect(cacheOutcome(res)).toBeNull();
      }
    } finally {
      await stopPortal(uncached);
    }
  });
});
