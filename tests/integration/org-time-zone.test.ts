/**
 * The organisation's time zone on the admin settings page, over real HTTP as
 * a browser without JavaScript sends it: a refused entry is answered with a
 * field-level error beside what was typed and changes nothing; a good one is
 * saved, audited, and the page says when the next Monday digest goes out.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { auditEvents } from "../../db/schema";
import { apiClient } from "../setup/api-client";
import { expect, test } from "../setup/api-test";
import { signIn } from "../setup/sign-in";
import { TEST_PASSWORD } from "../setup/test-orgs";

const auditedChanges = (orgId: number) =>
  getDb()
    .select({ payload: auditEvents.payload, actor: auditEvents.actorLabel })
    .from(auditEvents)
    .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, "settings.time_zone_updated")))
    .all()
    .map((event) => ({ actor: event.actor, ...(JSON.parse(event.payload) as object) }));

test("an admin sets the time zone: a made-up zone is refused beside what was typed, a real one is saved and audited", async ({
  testOrg,
  baseURL,
}) => {
  const { cookie } = await signIn(baseURL, testOrg.emails.admin, TEST_PASSWORD);
  const admin = apiClient(baseURL, { headers: { cookie } });
  const url = `/orgs/${testOrg.slug}/admin/settings`;

  const page = await (await admin.get(url)).text();
  expect(page).toContain('<datalist id="time-zone-names">');
  expect(page).toContain('<option value="Europe/Berlin">');
  // On a Monday from 08:00 this week's digest is still to go (the organisation is new): the page says it is due.
  const dueNow =
    /This week’s digest is due now \(Monday,? \d{1,2} \w+ \d{4} at 08:00, (UTC|Europe\/Berlin)\): it goes out within a quarter of an hour\./;
  expect(page).toMatch(
    new RegExp(`${/The next weekly digest goes out on Monday,? \d{1,2} \w+ \d{4} at 08:00, UTC time\./.source}|${dueNow.source}`),
  );

  const refused = await admin.post(url, { form: { intent: "time-zone", timeZone: "Europe/Atlantis" } });
  expect(refused.status()).toBe(400);
  const refusedPage = await refused.text();
  expect(refusedPage).toContain("Not a time zone this portal knows");
  expect(refusedPage).toMatch(/name="timeZone"[^>]*value="Europe\/Atlantis"/);
  expect(refusedPage).toMatch(/aria-invalid="true"[^>]*name="timeZone"|name="timeZone"[^>]*aria-invalid="true"/);
  expect(auditedChanges(testOrg.id)).toEqual([]);

  const saved = await admin.post(url, { form: { intent: "time-zone", timeZone: " europe/berlin " } });
  expect(saved.status()).toBe(200);
  const savedPage = await saved.text();
  expect(savedPage).toContain("Saved: weekly digests now go out Monday 08:00 in Europe/Berlin.");
  expect(savedPage).toMatch(/name="timeZone"[^>]*value="Europe\/Berlin"/);
  // Berlin is one or two hours ahead of UTC: 08:00 there is 07:00 or 06:00 UTC.
  expect(savedPage).toMatch(
    new RegExp(
      `${/The next weekly digest goes out on Monday,? \d{1,2} \w+ \d{4} at 08:00, Europe\/Berlin time \(\d{4}-\d{2}-\d{2} 0[67]:00 UTC\)\./.source}|${dueNow.source}`,
    ),
  );
  expect(auditedChanges(testOrg.id)).toEqual([
    { actor: testOrg.emails.admin, before: { timeZone: "UTC" }, after: { timeZone: "Europe/Berlin" } },
  ]);

  // Only admins: another member's post is refused before it is read.
  const { cookie: leaderCookie } = await signIn(baseURL, testOrg.emails.leadership, TEST_PASSWORD);
  const leader = apiClient(baseURL, { headers: { cookie: leaderCookie } });
  expect((await leader.post(url, { form: { intent: "time-zone", timeZone: "Asia/Tokyo" } })).status()).toBe(403);
  expect(auditedChanges(testOrg.id)).toHaveLength(1);
});
