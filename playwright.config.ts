import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { freePort, SERVER_COMMAND } from "./tests/setup/portal-server";

/**
 * The server runs on a free port (picked once here: Playwright's workers
 * inherit E2E_PORT) with its own database: `npm test` (scripts/test.mjs)
 * passes a fresh temp file as E2E_DATABASE_URL; run alone, a temp path is used.
 */
process.env.E2E_PORT ??= String(await freePort());
const port = Number(process.env.E2E_PORT);
const databaseFile = process.env.E2E_DATABASE_URL ?? path.join(os.tmpdir(), `portal-e2e-${port}`, "portal.db");
export const baseURL = `http://localhost:${port}`;
// The portal's email goes to a real SMTP server that the global setup starts on this port; it saves each message
// into E2E_MAIL_DIR for the specs to read (tests/e2e/global-setup.ts).
process.env.E2E_SMTP_PORT ??= String(await freePort());
process.env.E2E_MAIL_DIR ??= path.join(os.tmpdir(), `portal-e2e-${port}`, "mail");

// Fixtures write their own organisations straight into the server's database file.
process.env.DATABASE_URL = databaseFile;
process.env.SESSION_SECRET ??= "e2e-session-secret";

export default defineConfig({
  testDir: "tests/e2e",
  globalSetup: "./tests/e2e/global-setup.ts",
  fullyParallel: true,
  // Three workers on two cores: a spec mostly waits (page loads, autosave debounces, expect's retries), and the
  // whole e2e run used about a third of two cores' time with two workers. `npm test -- e2e --workers=2` for fewer.
  workers: 3,
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  timeout: 30_000,
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
  webServer: {
    command: SERVER_COMMAND.join(" "),
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORT: String(port),
      DATABASE_URL: databaseFile,
      SESSION_SECRET: process.env.SESSION_SECRET,
      NODE_ENV: "production",
      COOKIE_SECURE: "false",
      // tests/e2e/webhooks.spec.ts delivers to a receiver on 127.0.0.1, which the portal otherwise refuses.
      WEBHOOK_ALLOW_PRIVATE: "1",
      // Organisations' own identity providers on 127.0.0.1 (tests/e2e/sso-org.spec.ts runs a portal of its own with it too).
      OIDC_ALLOW_PRIVATE: "1",
      SMTP_URL: `smtp://127.0.0.1:${process.env.E2E_SMTP_PORT}`,
      // Email links open in the browser under test; the scheduler looks for deliveries five times a second.
      PUBLIC_URL: baseURL,
      SCHEDULER_POLL_MS: "200",
      ...(process.env.PORTAL_BUILD_DIR ? { PORTAL_BUILD_DIR: process.env.PORTAL_BUILD_DIR } : {}),
    },
  },
});
