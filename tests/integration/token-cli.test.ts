import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { listAuditEvents } from "../../app/modules/audit/audit.server";
import { listApiTokens } from "../../app/modules/auth/api-tokens.server";
import { API, bearer, expectApiError, expectJson } from "../setup/api-client";
import { expect, test } from "../setup/api-test";
import { makeToken, uniqueSlug, WRITE } from "../setup/test-orgs";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * `npm run token` against the server's database: the token it prints works
 * over HTTP with exactly the scopes asked for; bad options are explained.
 */

/**
 * `npm run -s token -- ...args` against the server's database. Asynchronous, so
 * this process keeps up with its keep-alive connections while the CLI runs.
 */
function runTokenCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string; lastLine: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "-s", "token", "--", ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL },
      timeout: 60_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => {
      const lines = stdout.trimEnd().split("\n");
      resolve({ status, stdout, stderr, lastLine: lines[lines.length - 1] ?? "" });
    });
  });
}

test("npm run token prints a working token alone on the last line", { timeout: 90_000 }, async ({ request, testOrg }) => {
  const writer = makeToken(testOrg.id, WRITE);
  const slug = uniqueSlug("cli-visible");
  await expectJson(
    await request.post(`${API}/models`, { headers: bearer(writer.token), data: { name: "CLI visible", slug, riskTier: "limited" } }),
    201,
  );

  const name = `cli-${Date.now().toString(36)}`;
  const run = await runTokenCli(["--org", testOrg.slug, "--name", name, "--scopes", "registry:read"]);
  expect(run.status, run.stderr).toBe(0);
  expect(run.lastLine).toMatch(/^amp_[A-Za-z0-9_-]{43}$/);
  expect(run.stdout).toContain(`"${name}"`);
  expect(run.stdout).toContain(testOrg.slug);
  const token = run.lastLine;

  const list = await expectJson(await request.get(`${API}/models`, { headers: bearer(token) }), 200);
  expect(list.models.map((m: { slug: string }) => m.slug)).toEqual([slug]);
  // Read-only, as asked.
  await expectApiError(
    await request.post(`${API}/models`, { headers: bearer(token), data: { name: "No", riskTier: "minimal" } }),
    403,
    "forbidden",
  );

  const stored = listApiTokens(testOrg.id).find((t) => t.name === name);
  expect(stored).toMatchObject({ scopes: ["registry:read"], revokedAt: null, prefix: token.slice(0, 12) });
  expect(stored?.lastUsedAt).not.toBeNull();
  const created = listAuditEvents(testOrg.id, { action: "api_token.created", actor: "cli:token" }, { limit: 10 }).events;
  expect(created).toHaveLength(1);
  expect(created[0]!.payload).toMatchObject({ after: { name, scopes: ["registry:read"] } });
  // Only the hash is stored: the secret is nowhere in the audit payload.
  expect(JSON.stringify(created[0]!.payload)).not.toContain(token);
});

test("npm run token accepts a comma-separated scope list", { timeout: 90_000 }, async ({ request, testOrg }) => {
  const run = await runTokenCli(["--org", testOrg.slug, "--name", "training-pipeline", "--scopes", "registry:read, registry:write"]);
  expect(run.status, run.stderr).toBe(0);
  const token = run.lastLine;
  expect(token).toMatch(/^amp_\S+$/);
  const model = await expectJson(
    await request.post(`${API}/models`, { headers: bearer(token), data: { name: "From CLI token", riskTier: "minimal" } }),
    201,
  );
  expect(model.slug).toBe("from-cli-token");
  expect((await expectJson(await request.get(`${API}/models`, { headers: bearer(token) }), 200)).total).toBe(1);
  expect(listApiTokens(testOrg.id).find((t) => t.name === "training-pipeline")?.scopes).toEqual(["registry:read", "registry:write"]);
});

test("npm run token refuses an unknown organisation with a clear message", { timeout: 90_000 }, async () => {
  const slug = `no-such-org-${Date.now().toString(36)}`;
  const run = await runTokenCli(["--org", slug, "--name", "pipeline", "--scopes", "registry:read"]);
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain(`No organisation with slug "${slug}"`);
  expect(run.stdout).not.toMatch(/amp_/);
});

test("npm run token refuses an unknown scope with a clear message and creates nothing", { timeout: 90_000 }, async ({ testOrg }) => {
  const run = await runTokenCli(["--org", testOrg.slug, "--name", "pipeline", "--scopes", "registry:read,registry:admin"]);
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain("--scopes");
  expect(run.stderr).toContain("Scopes are: registry:read, registry:write, registry:promote");
  expect(run.stdout).not.toMatch(/amp_/);
  expect(listApiTokens(testOrg.id)).toEqual([]);
});

test("npm run token explains missing options", { timeout: 90_000 }, async ({ testOrg }) => {
  const [noOrg, noScopes, noName] = await Promise.all([
    runTokenCli(["--name", "pipeline", "--scopes", "registry:read"]),
    runTokenCli(["--org", testOrg.slug, "--name", "pipeline"]),
    runTokenCli(["--org", testOrg.slug, "--scopes", "registry:read"]),
  ]);
  expect(noOrg.status).not.toBe(0);
  expect(noOrg.stderr).toContain("--org <slug> is required");

  expect(noScopes.status).not.toBe(0);
  expect(noScopes.stderr).toContain("--scopes");

  expect(noName.status).not.toBe(0);
  expect(noName.stderr).toContain("--name");
  expect(listApiTokens(testOrg.id)).toEqual([]);
});
