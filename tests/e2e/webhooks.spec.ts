import { test, expect, fitsPhoneAndPassesAxe, signInAs } from "./fixtures";
import { TEST_PASSWORD } from "../setup/test-orgs";
import { startWebhookReceiver } from "../setup/webhook-receiver";

/**
 * The organisation admin's webhook pages against a real receiver
 * (tests/setup/webhook-receiver.ts on 127.0.0.1: the e2e server runs with
 * WEBHOOK_ALLOW_PRIVATE=1, playwright.config.ts).
 */

test("an admin registers a webhook, copies its secret once, tests it against a receiver, reads the log and deletes it", async ({
  page,
  testOrg,
  loginAs,
}) => {
  test.slow(); // a delivery through the scheduler and two accessibility scans
  const receiver = await startWebhookReceiver();
  try {
    await loginAs("admin");
    await page.goto(`/orgs/${testOrg.slug}/admin/webhooks`);
    await expect(page.getByText("No webhooks yet")).toBeVisible();
    const form = page.getByRole("region", { name: "Register a webhook" });
    const incident = form.getByRole("checkbox", { name: /^Incident opened/ });
    const approval = form.getByRole("checkbox", { name: /^Approval requested/ });

    // A bad URL: a field error, and everything typed and ticked is still there.
    await form.getByLabel("URL").fill("not-a-url");
    await incident.check();
    await approval.check();
    await form.getByLabel("Description").fill("Ticketing");
    await form.getByRole("button", { name: "Register webhook" }).click();
    await expect(form.getByText("Give an absolute URL")).toBeVisible();
    await expect(form.getByLabel("URL")).toHaveValue("not-a-url");
    await expect(form.getByLabel("URL")).toHaveAttribute("aria-invalid", "true");
    await expect(incident).toBeChecked();
    await expect(approval).toBeChecked();
    await expect(form.getByRole("checkbox", { checked: true })).toHaveCount(2);
    await expect(form.getByLabel("Description")).toHaveValue("Ticketing");

    // Registered: the secret is shown once.
    await form.getByLabel("URL").fill(receiver.url);
    await form.getByRole("button", { name: "Register webhook" }).click();
    await expect(page.getByRole("status")).toContainText("Copy its signing secret now");
    const secret = (await page.getByTestId("webhook-secret").textContent())!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    receiver.useSecret(secret);
    const card = page.getByRole("region", { name: receiver.url });
    await expect(card).toContainText("Incident opened");
    await expect(card).toContainText("Approval requested");
    await expect(card).toContainText("None yet");
    await page.reload();
    await expect(page.getByTestId("webhook-secret")).toHaveCount(0);
    expect(await page.content()).not.toContain(secret);
    await fitsPhoneAndPassesAxe(page);

    // A test event reaches the receiver, signed; the log shows its status code and response time.
    await card.getByRole("button", { name: `Send test event to ${receiver.url}` }).click();
    await expect(page.getByRole("status")).toContainText("Test event queued");
    await expect.poll(() => receiver.receipts.length, { timeout: 20_000 }).toBe(1);
    expect(receiver.receipts[0]).toMatchObject({ verified: true, answered: 204 });
    expect(JSON.parse(receiver.receipts[0]!.body)).toMatchObject({ type: "webhook.test" });

    await card.getByRole("link", { name: "Delivery log" }).click();
    await expect(page).toHaveURL(new RegExp(`/orgs/${testOrg.slug}/admin/webhooks/\\d+$`));
    const attempt = page.getByTestId("delivery-attempt");
    await expect(async () => {
      await page.reload();
      await expect(attempt).toHaveCount(1, { timeout: 1_000 });
    }).toPass({ timeout: 10_000 });
    await expect(attempt).toContainText("HTTP 204");
    await expect(attempt).toContainText(/\d+ ms/);
    await expect(attempt).toContainText("Test event");
    await expect(attempt).toContainText(receiver.receipts[0]!.id);
    await expect(page.getByRole("region", { name: receiver.url })).toContainText("HTTP 204 in");
    await fitsPhoneAndPassesAxe(page);

    // The deliveries page lists the message as delivered.
    await page.goto(`/orgs/${testOrg.slug}/admin/deliveries?channel=webhook`);
    const row = page.locator("tbody tr").filter({ hasText: receiver.receipts[0]!.id });
    await expect(row).toContainText("Delivered");
    await expect(row).toContainText(receiver.url);
    await fitsPhoneAndPassesAxe(page);

    // Deleting asks for a confirmation that says what it does.
    await page.goto(`/orgs/${testOrg.slug}/admin/webhooks`);
    await card.getByText("Delete this webhook").click();
    await expect(card).toContainText("Deleting stops every delivery to this URL at once");
    await card.getByRole("button", { name: `Delete the webhook ${receiver.url}` }).click();
    await expect(card.getByText("Tick the box to confirm")).toBeVisible();
    await card.getByLabel("I understand: deliveries stop and waiting messages are dropped").check();
    await card.getByRole("button", { name: `Delete the webhook ${receiver.url}` }).click();
    await expect(page.getByRole("status")).toContainText("Webhook deleted");
    await expect(page.getByText("No webhooks yet")).toBeVisible();

    await page.goto(`/orgs/${testOrg.slug}/audit`);
    for (const label of ["Webhook registered", "Webhook test event sent", "Webhook removed"]) {
      await expect(page.getByRole("cell", { name: label }).first()).toBeVisible();
    }
  } finally {
    await receiver.close();
  }
});

test("the register form works without JavaScript", async ({ browser, baseURL, testOrg }) => {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await signInAs(page, testOrg.emails.admin, TEST_PASSWORD);
    await page.goto(`/orgs/${testOrg.slug}/admin/webhooks`);
    const form = page.getByRole("region", { name: "Register a webhook" });
    await form.getByLabel("URL").fill("https://hooks.example.com/no-js");
    await form.getByRole("button", { name: "Register webhook" }).click();
    await expect(form.getByText("Choose at least one event")).toBeVisible();
    await expect(form.getByLabel("URL")).toHaveValue("https://hooks.example.com/no-js");
    await form.getByRole("checkbox", { name: /^Assessment submitted/ }).check();
    await form.getByRole("button", { name: "Register webhook" }).click();
    await expect(page.getByTestId("webhook-secret")).toHaveText(/^whsec_/);
    await expect(page.getByRole("region", { name: "https://hooks.example.com/no-js" })).toContainText("Assessment submitted for review");
  } finally {
    await context.close();
  }
});

test("only admins see the webhook and deliveries pages", async ({ page, testOrg, loginAs }) => {
  await loginAs("ethics");
  for (const path of ["admin/webhooks", "admin/deliveries"]) {
    const response = await page.goto(`/orgs/${testOrg.slug}/${path}`);
    expect(response?.status(), path).toBe(403);
  }
  const post = await page.request.post(`/orgs/${testOrg.slug}/admin/webhooks?index`, {
    form: { intent: "create", url: "https://hooks.example.com/x", events: "incident.opened" },
  });
  expect(post.status()).toBe(403);
});
