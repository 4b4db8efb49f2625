/**
 * "Forgot your password" against the real server and a real SMTP server
 * (issue #16): the link arrives by email, works once and for an hour, ends
 * every session, and the page answers the same whether or not the account
 * exists; requests are throttled per account.
 */
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { auditEvents } from "../../db/schema";
import { RESETS_PER_ACCOUNT } from "../../app/modules/auth/password-reset.server";
import { send, type Reply } from "../setup/api-client";
import { expect, mailbox, portal, test, TEST_PUBLIC_URL } from "../setup/api-test";
import { visibleStatus } from "../setup/invitations";
import { signIn } from "../setup/sign-in";
import { TEST_PASSWORD } from "../setup/test-orgs";

const NEW_PASSWORD = "Brand-new-passw0rd";

const post = (urlPath: string, fields: Record<string, string>, cookie?: string): Promise<Reply> =>
  send(portal().baseUrl, urlPath, { method: "POST", cookie, body: new URLSearchParams(fields) });

/** The reset link of the newest email to `email`, as a path on the test server. */
async function resetLinkFor(email: string): Promise<string> {
  const { mail } = await mailbox().waitForMailTo(email, /^Reset your password$/);
  const link = new RegExp(`${TEST_PUBLIC_URL}(/reset-password/[\\w-]{43})`).exec(mail.text ?? "")?.[1];
  if (!link) throw new Error(`no reset link in: ${mail.text}`);
  return link;
}

test("the emailed link sets a new password once and signs every device out", async ({ testOrg }) => {
  const email = testOrg.emails.team;
  const before = await signIn(portal().baseUrl, email, TEST_PASSWORD);

  const asked = await post("/forgot-password", { email });
  expect(asked.status).toBe(200);
  expect(visibleStatus(asked.text)).toContain("If an account has this email, a link");
  const link = await resetLinkFor(email);
  const { mail } = await mailbox().waitForMailTo(email, /^Reset your password$/);
  expect(
    mail.headerLines.some((h) => h.key === "list-unsubscribe"),
    "account email carries no unsubscribe",
  ).toBe(false);

  const page = await send(portal().baseUrl, link);
  expect(page.status).toBe(200);
  expect(page.text).toContain(email);

  const mismatch = await post(link, { newPassword: NEW_PASSWORD, confirmPassword: "something else" });
  expect(mismatch.status).toBe(400);
  expect(mismatch.text).toContain("The two new passwords differ");

  const done = await post(link, { newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
  expect(done.status).toBe(302);
  expect(done.location).toMatch(/^\/login\?reset=1/);

  // The old session is gone; the old password no longer works; the new one does.
  const account = await send(portal().baseUrl, "/account", { cookie: before.cookie });
  expect(account.status).toBe(302);
  await expect(signIn(portal().baseUrl, email, TEST_PASSWORD)).rejects.toThrow();
  await signIn(portal().baseUrl, email, NEW_PASSWORD);

  // Once only.
  expect((await send(portal().baseUrl, link)).status).toBe(404);
  expect((await post(link, { newPassword: "Another-passw0rd!", confirmPassword: "Another-passw0rd!" })).status).toBe(404);
  const recorded = getDb().select().from(auditEvents).where(eq(auditEvents.action, "user.password_reset")).all();
  expect(recorded.some((e) => e.actorLabel.startsWith(email))).toBe(true);
});

test("the answer is the same for an unknown email, and nothing is sent to it", async () => {
  const unknown = `nobody-${Date.now().toString(36)}@e2e.test`;
  const answer = await post("/forgot-password", { email: unknown });
  expect(answer.status).toBe(200);
  expect(visibleStatus(answer.text)).toContain("If an account has this email, a link");
  await expect(mailbox().waitForMailTo(unknown, undefined, 1_500)).rejects.toThrow(/no email/);

  const invalid = await post("/forgot-password", { email: "not an email" });
  expect(invalid.status).toBe(400);
  expect(invalid.text).toContain("Enter a valid email address");
});

test("an account gets at most a few links in a quarter of an hour", async ({ testOrg }) => {
  const email = testOrg.emails.auditor;
  for (let i = 0; i < RESETS_PER_ACCOUNT + 2; i++) expect((await post("/forgot-password", { email })).status).toBe(200);
  await mailbox().waitForMailTo(email, /^Reset your password$/);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(mailbox().received.filter((r) => r.to.includes(email))).toHaveLength(RESETS_PER_ACCOUNT);
});
