/**
 * Vitest tests against the real server: one production server process per
 * test file, on that file's own temp database (DATABASE_URL, see
 * vitest-setup.ts), so data written through the app's modules here is what
 * the server reads. Each test gets its own organisation.
 *
 *   import { expect, test } from "../setup/api-test";
 *   test("…", async ({ testOrg, apiAs, request }) => { … });
 *
 * The fixtures mirror the Playwright specs' (`testOrg`, `apiAs`, `request`, `baseURL`).
 */
import { afterAll, beforeAll, expect, test as base, vi } from "vitest";
import type { ApiScope } from "../../app/modules/auth/api-scopes";
import { apiClient, bearer, type ApiClient } from "./api-client";
import { acquirePortalBuild, killAllPortals, startPortal, stopPortal, type PortalServer } from "./portal-server";
import { startSmtpReceiver, type SmtpReceiver } from "./smtp-receiver";
import { createTestOrg, makeToken, type ApiToken, type TestOrg } from "./test-orgs";

// Tests run concurrently (see `test` below): each waits longer for its turn on a busy machine.
vi.setConfig({ testTimeout: 60_000, maxConcurrency: 4 });

let server: PortalServer | undefined;
let smtp: SmtpReceiver | undefined;
let releaseBuild = () => {};
let extraEnv: Record<string, string> = {};

/**
 * Starts this file's server with these environment variables too: call it at
 * the top of the test file, e.g. `portalEnv({ WEBHOOK_ALLOW_PRIVATE: "1" })`
 * for webhooks delivered to a receiver on loopback.
 */
export function portalEnv(env: Record<string, string>): void {
  extraEnv = { ...extraEnv, ...env };
}

/** What the server's emails link to (PUBLIC_URL). */
export const TEST_PUBLIC_URL = "https://portal.test";

beforeAll(async () => {
  const build = acquirePortalBuild();
  releaseBuild = build.release;
  // A real SMTP server takes the portal's email; the scheduler looks for deliveries every 100 ms.
  smtp = await startSmtpReceiver();
  server = await startPortal({
    databaseFile: process.env.DATABASE_URL!,
    buildDir: build.buildDir,
    env: { SMTP_URL: smtp.url, SCHEDULER_POLL_MS: "100", PUBLIC_URL: TEST_PUBLIC_URL, ...extraEnv },
  });
}, 240_000);

afterAll(async () => {
  await stopPortal(server);
  await smtp?.close();
  killAllPortals();
  releaseBuild();
});

/** The SMTP server the portal of this test file sends its email to. */
export function mailbox(): SmtpReceiver {
  if (!smtp) throw new Error("the SMTP receiver has not started (api-test's beforeAll)");
  return smtp;
}

/** The server of this test file. */
export function portal(): PortalServer {
  if (!server) throw new Error("the server has not started (api-test's beforeAll)");
  return server;
}

export type TokenClient = ApiToken & { ctx: ApiClient };

const extended = base.extend<{
  baseURL: string;
  /** A new organisation with one member per role. */
  testOrg: TestOrg;
  /** Requests without a token. */
  request: ApiClient;
  /** A client sending a new token of `orgId` with these scopes. */
  apiAs: (orgId: number, scopes: ApiScope[], name?: string) => Promise<TokenClient>;
}>({
  // eslint-disable-next-line no-empty-pattern -- vitest fixtures take their dependencies by destructuring
  baseURL: async ({}, use) => use(portal().baseUrl),
  // eslint-disable-next-line no-empty-pattern -- as above
  testOrg: async ({}, use) => use(await createTestOrg()),
  request: async ({ baseURL }, use) => use(apiClient(baseURL)),
  apiAs: async ({ baseURL }, use) =>
    use(async (orgId, scopes, name) => {
      const token = makeToken(orgId, scopes, name);
      return { ...token, ctx: apiClient(baseURL, { headers: bearer(token.token) }) };
    }),
});

/**
 * Tests of a file run concurrently (at most vitest's maxConcurrency at once):
 * each has its own organisation, and most of the time is spent waiting for the server.
 */
export const test = extended.concurrent;

export { expect };
