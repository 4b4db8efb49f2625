/**
 * Playwright's global setup: a real SMTP server for the portal's email, on the
 * port playwright.config.ts chose (E2E_SMTP_PORT, already in the webServer's
 * SMTP_URL: the webServer starts before this setup, and its deliveries retry
 * until the server listens). Every message it receives is written as JSON into
 * E2E_MAIL_DIR, where specs read it (`waitForSavedMail`). Returns the teardown.
 */
import fs from "node:fs";
import { startSmtpReceiver } from "../setup/smtp-receiver";

export default async function globalSetup(): Promise<() => Promise<void>> {
  const directory = process.env.E2E_MAIL_DIR!;
  fs.rmSync(directory, { recursive: true, force: true });
  const smtp = await startSmtpReceiver({ port: Number(process.env.E2E_SMTP_PORT), saveTo: directory });
  return async () => {
    await smtp.close();
    fs.rmSync(directory, { recursive: true, force: true });
  };
}
