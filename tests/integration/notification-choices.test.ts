/**
 * Each person's notification choices (issue #16), against the real server:
 * chosen per category on the account page, and turned off for one category
 * by the signed unsubscribe link of an email, with or without a page between
 * (RFC 8058 one-click).
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { notificationPreferences } from "../../db/schema";
import { findUserByEmail } from "../../app/modules/auth/organizations.server";
import { unsubscribeToken } from "../../app/modules/notifications/email.server";
import { CHOOSABLE_CATEGORIES } from "../../app/modules/notifications/notification-schemas";
import { send } from "../setup/api-client";
import { expect, portal, test } from "../setup/api-test";
import { signIn } from "../setup/sign-in";
import { TEST_PASSWORD } from "../setup/test-orgs";

const base = () => portal().baseUrl;

function modeOf(userId: number, category: string) {
  return getDb()
    .select({ mode: notificationPreferences.mode })
    .from(notificationPreferences)
    .where(and(eq(notificationPreferences.userId, userId), eq(notificationPreferences.category, category as never)))
    .get()?.mode;
}

test("the account page saves a choice per category and refuses a mode that does not exist", async ({ testOrg }) => {
  const email = testOrg.emails.ethics;
  const { cookie } = await signIn(base(), email, TEST_PASSWORD);
  const userId = findUserByEmail(getDb(), email)!.id;

  const page = await send(base(), "/account", { cookie });
  expect(page.text).toContain("Approval requests and decisions");

  const choices = Object.fromEntries(CHOOSABLE_CATEGORIES.map((c) => [c, "email"]));
  const bad = await send(base(), "/account", {
    method: "POST",
    cookie,
    body: new URLSearchParams({ intent: "notifications", ...choices, approvals: "pigeon" }),
  });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain("Choose email, the weekly digest, or the portal only");
  expect(modeOf(userId, "approvals"), "nothing saved").toBeUndefined();

  const saved = await send(base(), "/account", {
    method: "POST",
    cookie,
    body: new URLSearchParams({ intent: "notifications", ...choices, approvals: "portal", roadmap: "email" }),
  });
  expect(saved.status).toBe(200);
  expect(saved.text).toContain("Notification choices saved.");
  expect(modeOf(userId, "approvals")).toBe("portal");
  expect(modeOf(userId, "roadmap")).toBe("email");
});

test("an email's unsubscribe link asks first, then stops that category only; a forged one is refused", async ({ testOrg }) => {
  const userId = findUserByEmail(getDb(), testOrg.emails.team)!.id;
  const link = `/unsubscribe/${unsubscribeToken(userId, "roadmap")}`;

  const asked = await send(base(), link);
  expect(asked.status).toBe(200);
  expect(asked.text).toContain("Stop emails about");
  expect(modeOf(userId, "roadmap"), "opening the link changes nothing").toBeUndefined();

  const done = await send(base(), link, { method: "POST", body: new URLSearchParams({}) });
  expect(done.status).toBe(200);
  expect(done.text).toContain("no more emails about");
  expect(modeOf(userId, "roadmap")).toBe("portal");
  expect(modeOf(userId, "approvals")).toBeUndefined();

  const forged = link.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
  expect((await send(base(), forged)).status).toBe(404);
  expect((await send(base(), forged, { method: "POST", body: new URLSearchParams({}) })).status).toBe(404);
});

test("a mail client's one-click POST (RFC 8058) unsubscribes without a page", async ({ testOrg }) => {
  const userId = findUserByEmail(getDb(), testOrg.emails.leadership)!.id;
  const reply = await send(base(), `/unsubscribe/${unsubscribeToken(userId, "approvals")}`, {
    method: "POST",
    body: new URLSearchParams({ "List-Unsubscribe": "One-Click" }),
  });
  expect(reply.status).toBe(200);
  expect(modeOf(userId, "approvals")).toBe("portal");
});
