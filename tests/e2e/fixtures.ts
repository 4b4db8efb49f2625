import { randomBytes } from "node:crypto";
import { test as base, expect, type Page } from "@playwright/test";
import { SYSTEM_ACTOR } from "../../app/modules/audit/audit.server";
import { createOrganization, createUserInOrganization } from "../../app/modules/auth/organizations.server";
import { ROLES, type Role } from "../../app/modules/auth/roles";

export const E2E_PASSWORD = "E2e-password-42";
export const DEMO_PASSWORD = process.env.DEMO_PASSWORD || "demo-password";

export type TestOrg = {
  id: number;
  slug: string;
  name: string;
  emails: Record<Role, string>;
};

/**
 * A brand-new organisation with one member per role, written straight into
 * the server's database, so each spec works on its own data.
 */
export async function createTestOrg(label = "org"): Promise<TestOrg> {
  const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  const slug = `e2e-${label}-${suffix}`.slice(0, 48).replace(/-+$/, "");
  const emails = Object.fromEntries(ROLES.map((role) => [role, `${role}.${suffix}@e2e.test`])) as Record<Role, string>;
  const { org } = await createOrganization(
    { slug, name: `E2E ${label} ${suffix}`, adminEmail: emails.admin, adminName: `Admin ${suffix}`, adminPassword: E2E_PASSWORD },
    SYSTEM_ACTOR,
  );
  for (const role of ROLES.filter((r) => r !== "admin")) {
    await createUserInOrganization(
      org.id,
      { email: emails[role], name: `${role[0]!.toUpperCase()}${role.slice(1)} ${suffix}`, password: E2E_PASSWORD, role },
      SYSTEM_ACTOR,
    );
  }
  return { id: org.id, slug: org.slug, name: org.name, emails };
}

export async function login(page: Page, email: string, password = E2E_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

type Fixtures = {
  testOrg: TestOrg;
  /** Signs the page in as the test organisation's member with this role. */
  loginAs: (role: Role, page?: Page) => Promise<void>;
};

export const test = base.extend<Fixtures>({
  testOrg: async ({}, use) => {
    await use(await createTestOrg());
  },
  loginAs: async ({ page, testOrg }, use) => {
    await use((role, target = page) => login(target, testOrg.emails[role]));
  },
});

export { expect };
