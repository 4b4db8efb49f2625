/**
 * Test data written straight into the database the server under test uses
 * (DATABASE_URL), through the app's own modules so the audit chain is genuine:
 * organisations with one member per role, API tokens, and the governance steps
 * that promote a version. Shared by the integration suites and the Playwright specs.
 */
import { randomBytes } from "node:crypto";
import { getDb } from "../../db/client";
import { SYSTEM_ACTOR, type Actor } from "../../app/modules/audit/audit.server";
import type { ApiScope } from "../../app/modules/auth/api-scopes";
import { createApiToken, revokeApiToken } from "../../app/modules/auth/api-tokens.server";
import { createOrganization, createUserInOrganization, findUserByEmail } from "../../app/modules/auth/organizations.server";
import { hashPassword } from "../../app/modules/auth/password.server";
import { ROLES, type Role } from "../../app/modules/auth/roles";
import { decideApprovalRequest, openApprovalRequest } from "../../app/modules/governance/approvals.server";
import { runBiasAudit, signOffBiasAudit } from "../../app/modules/governance/bias-audits.server";
import { BiasAuditConfigSchema } from "../../app/modules/governance/governance-schemas";
import { reviewModelCard, saveModelCard, submitModelCard } from "../../app/modules/governance/model-cards.server";
import { getModel } from "../../app/modules/registry/registry.server";
import { writtenCardSections } from "./model-cards";
import { withDatabase } from "./portal-server";

/** Password of every member of a test organisation. */
export const TEST_PASSWORD = "E2e-password-42";
/** Password of the demo organisation's accounts (db/seed.ts). */
export const DEMO_PASSWORD = process.env.DEMO_PASSWORD || "demo-password";
/** The demo organisation's accounts, by role. */
export const DEMO_LOGINS = {
  admin: "admin@demo.local",
  leadership: "leader@demo.local",
  ethics: "ethics@demo.local",
  team: "team@demo.local",
  auditor: "auditor@demo.local",
} as const satisfies Record<Role, string>;

export type TestOrg = {
  id: number;
  slug: string;
  name: string;
  emails: Record<Role, string>;
};

const testActor: Actor = { ...SYSTEM_ACTOR, label: "test" };

/**
 * The scrypt cost of test accounts' passwords: the portal's own (2^15) takes about 200 ms of the server's CPU at
 * every sign-in on a busy 2-core machine, and the suites sign in hundreds of times; 2^10 takes about 6 ms.
 * What is tested about hashing itself (app/modules/auth/password.server.test.ts) uses the portal's cost.
 */
export const TEST_PASSWORD_COST = 1024;

/** TEST_PASSWORD hashed once per process: every test organisation has five accounts. */
let testPasswordHash: Promise<string> | undefined;
const hashedTestPassword = () => (testPasswordHash ??= hashPassword(TEST_PASSWORD, { cost: TEST_PASSWORD_COST }));

/** A brand-new organisation with one member per role (password TEST_PASSWORD), so each test works on its own data. */
export async function createTestOrg(label = "org"): Promise<TestOrg> {
  const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  const slug = `e2e-${label}-${suffix}`.slice(0, 48).replace(/-+$/, "");
  const emails = Object.fromEntries(ROLES.map((role) => [role, `${role}.${suffix}@e2e.test`])) as Record<Role, string>;
  const { org } = await createOrganization(
    {
      slug,
      name: `E2E ${label} ${suffix}`,
      adminEmail: emails.admin,
      adminName: `Admin ${suffix}`,
      adminPasswordHash: await hashedTestPassword(),
    },
    SYSTEM_ACTOR,
  );
  const passwordHash = await hashedTestPassword();
  await Promise.all(
    ROLES.filter((r) => r !== "admin").map((role) =>
      createUserInOrganization(
        org.id,
        { email: emails[role], name: `${role[0]!.toUpperCase()}${role.slice(1)} ${suffix}`, passwordHash, role },
        SYSTEM_ACTOR,
      ),
    ),
  );
  return { id: org.id, slug: org.slug, name: org.name, emails };
}

/** A member of the test organisation as an approver / actor. */
export function member(org: TestOrg, role: Role): { userId: number; label: string; role: Role; actor: Actor } {
  const user = findUserByEmail(getDb(), org.emails[role]);
  if (!user) throw new Error(`No ${role} user ${org.emails[role]}`);
  return { userId: user.id, label: user.email, role, actor: { type: "user", id: user.id, label: user.email } };
}

/**
 * An organisation (admin `admin@<slug>.test`, password TEST_PASSWORD) and a
 * registry read/write API token, in the database `file`.
 */
export function seedOrgWithToken(file: string, slug = "acme") {
  return withDatabase(file, async () => {
    const { org } = await createOrganization(
      {
        slug,
        name: `Org ${slug}`,
        adminEmail: `admin@${slug}.test`,
        adminName: `Admin ${slug}`,
        adminPasswordHash: await hashedTestPassword(),
      },
      SYSTEM_ACTOR,
    );
    const token = makeToken(org.id, ["registry:read", "registry:write"], "seeded");
    return { orgId: org.id as number, token: token.token };
  });
}

export type ApiToken = { token: string; id: number; name: string; scopes: ApiScope[] };

/** A new API token of the organisation (the secret is returned once). */
export function makeToken(orgId: number, scopes: ApiScope[], name = `test-${randomBytes(3).toString("hex")}`): ApiToken {
  const created = createApiToken(orgId, { name, scopes }, testActor);
  return { token: created.token, id: created.id, name: created.name, scopes };
}

export function revokeToken(orgId: number, tokenId: number) {
  revokeApiToken(orgId, tokenId, testActor);
}

export const READ: ApiScope[] = ["registry:read"];
export const WRITE: ApiScope[] = ["registry:read", "registry:write"];
export const PROMOTE: ApiScope[] = ["registry:read", "registry:write", "registry:promote"];

export const uniqueSlug = (label: string) => `${label}-${randomBytes(3).toString("hex")}`;
export const isoDay = (date: Date) => date.toISOString().slice(0, 10);
export const DAY = 86_400_000;

/** Full lineage: code reference, training data, hyperparameters and a metric. */
export const fullLineage = {
  algorithm: "gradient boosting",
  framework: "xgboost 2.1",
  codeRef: "git:3f2a9c1",
  trainingData: { ref: "s3://lake/churn", version: "2026-11" },
  hyperparameters: { max_depth: 6, eta: 0.1 },
  artifactUri: "s3://models/churn/1.0.0",
  metrics: { auc: 0.81, accuracy: 0.9 },
};

// ---------------------------------------------------------------- promotion through governance
//
// Production is reached only through an approved approval request whose gate
// checks pass (approved model card, complete lineage, and for limited/high risk
// a passing bias audit signed off by ethics). These helpers write those steps
// straight into the server's database, as the organisation's members would.

export const FAIR_AUDIT_CONFIG = BiasAuditConfigSchema.parse({
  groupColumns: ["group"],
  labelColumn: "label",
  positiveLabels: ["1"],
  predictionColumn: "prediction",
  positivePredictions: ["1"],
});
/** 80 predictions, identical rates in both groups: the audit passes. */
const FAIR_ROWS = ["a", "b"].flatMap((group) => Array.from({ length: 40 }, (_, i) => ({ group, label: i % 2, prediction: i % 2 })));

/** Satisfies the promotion gates of a version (its lineage must already be complete). */
export async function clearPromotionGates(org: TestOrg, slug: string, version: string) {
  const team = member(org, "team");
  const ethics = member(org, "ethics");
  const sections = writtenCardSections({ modelDetails: "Written by the test suite.", intendedUse: "End-to-end tests." });
  const card = saveModelCard(org.id, slug, version, sections, team.actor);
  submitModelCard(org.id, card.id, team.actor);
  reviewModelCard(org.id, card.id, { decision: "approve" }, ethics.actor);
  const riskTier = getModel(org.id, slug)?.riskTier;
  if (riskTier === "limited" || riskTier === "high") {
    const audit = await runBiasAudit(org.id, slug, version, FAIR_AUDIT_CONFIG, { kind: "rows", rows: FAIR_ROWS }, team.actor, "api");
    signOffBiasAudit(org.id, audit.id, { decision: "accept" }, ethics.actor);
  }
}

/** Opens an approval request for a staging version and records every required approval: the last one promotes it. */
export function approvePromotion(org: TestOrg, slug: string, version: string) {
  const request = openApprovalRequest(org.id, slug, version, { reason: "test" }, testActor);
  let result = request;
  for (const role of request.requiredRoles) {
    const approver = member(org, role);
    result = decideApprovalRequest(org.id, request.id, { decision: "approve" }, { userId: approver.userId, label: approver.label, role });
  }
  return result;
}

/** Gates cleared and approvals given: the staging version goes to production (retiring the previous one). */
export async function promoteThroughGovernance(org: TestOrg, slug: string, version: string) {
  await clearPromotionGates(org, slug, version);
  const result = approvePromotion(org, slug, version);
  if (result.status !== "approved") throw new Error(`Promotion of ${slug}@${version} is ${result.status}`);
  return result;
}
