import { randomBytes } from "node:crypto";
import { expect, request as playwrightRequest, type APIRequestContext, type APIResponse } from "@playwright/test";
import { getDb } from "../../db/client";
import { SYSTEM_ACTOR, type Actor } from "../../app/modules/audit/audit.server";
import { createApiToken, revokeApiToken } from "../../app/modules/auth/api-tokens.server";
import type { ApiScope } from "../../app/modules/auth/api-scopes";
import { findUserByEmail } from "../../app/modules/auth/organizations.server";
import type { Role } from "../../app/modules/auth/roles";
import { decideApprovalRequest, openApprovalRequest } from "../../app/modules/governance/approvals.server";
import { runBiasAudit, signOffBiasAudit } from "../../app/modules/governance/bias-audits.server";
import { BiasAuditConfigSchema } from "../../app/modules/governance/governance-schemas";
import { writtenCardSections } from "../setup/model-cards";
import { reviewModelCard, saveModelCard, submitModelCard } from "../../app/modules/governance/model-cards.server";
import { getModel } from "../../app/modules/registry/registry.server";
import { test as base, type TestOrg } from "./fixtures";

/**
 * Helpers for the JSON API specs: tokens written straight into the server's
 * database, request contexts that send them, and assertions on the error
 * envelope `{"error": {"code", "message", "issues": [{"path", "message"}]}}`.
 */

export const API = "/api/v1";

export type ApiToken = { token: string; id: number; name: string; scopes: ApiScope[] };

/** A new API token of the organisation (the secret is returned once). */
export function makeToken(orgId: number, scopes: ApiScope[], name = `e2e-${randomBytes(3).toString("hex")}`): ApiToken {
  const created = createApiToken(orgId, { name, scopes }, { ...SYSTEM_ACTOR, label: "e2e" });
  return { token: created.token, id: created.id, name: created.name, scopes };
}

export function revokeToken(orgId: number, tokenId: number) {
  revokeApiToken(orgId, tokenId, { ...SYSTEM_ACTOR, label: "e2e" });
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export type ApiClient = ApiToken & { ctx: APIRequestContext };

type ApiFixtures = {
  /** A request context sending a new token of `orgId` with these scopes; disposed after the test. */
  apiAs: (orgId: number, scopes: ApiScope[], name?: string) => Promise<ApiClient>;
};

export const test = base.extend<ApiFixtures>({
  apiAs: async ({ baseURL }, use) => {
    const contexts: APIRequestContext[] = [];
    await use(async (orgId, scopes, name) => {
      const token = makeToken(orgId, scopes, name);
      const ctx = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: bearer(token.token) });
      contexts.push(ctx);
      return { ...token, ctx };
    });
    await Promise.all(contexts.map((c) => c.dispose()));
  },
});

export { expect };

export const READ: ApiScope[] = ["registry:read"];
export const WRITE: ApiScope[] = ["registry:read", "registry:write"];
export const PROMOTE: ApiScope[] = ["registry:read", "registry:write", "registry:promote"];

/** Asserts the status and the error envelope; returns the error for further checks. */
export async function expectApiError(
  response: APIResponse,
  status: number,
  code?: string,
): Promise<{ code: string; message: string; issues: { path: string; message: string }[] }> {
  const text = await response.text();
  expect(response.status(), `${response.url()} answered ${response.status()}: ${text}`).toBe(status);
  expect(response.headers()["content-type"]).toContain("application/json");
  const body = JSON.parse(text) as { error: { code: string; message: string; issues: { path: string; message: string }[] } };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(typeof body.error.code).toBe("string");
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(Array.isArray(body.error.issues)).toBe(true);
  if (code) expect(body.error.code).toBe(code);
  return body.error;
}

/** Asserts an exact success status and returns the parsed JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function expectJson<T = any>(response: APIResponse, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status(), `${response.url()} answered ${response.status()}: ${text}`).toBe(status);
  return JSON.parse(text) as T;
}

export const uniqueSlug = (label: string) => `${label}-${randomBytes(3).toString("hex")}`;

/** Registers a model through the API and returns its JSON. */
export async function postModel(ctx: APIRequestContext, body: Record<string, unknown>) {
  return expectJson(await ctx.post(`${API}/models`, { data: body }), 201);
}

/** Registers a version through the API and returns its JSON. */
export async function postVersion(ctx: APIRequestContext, slug: string, body: Record<string, unknown>) {
  return expectJson(await ctx.post(`${API}/models/${slug}/versions`, { data: body }), 201);
}

export async function transition(ctx: APIRequestContext, slug: string, version: string, to: string, reason?: string) {
  return ctx.post(`${API}/models/${slug}/versions/${version}/transitions`, { data: reason ? { to, reason } : { to } });
}

/** Walks a development version through validation to staging over the API. */
export async function moveToStaging(ctx: APIRequestContext, slug: string, version: string) {
  for (const to of ["validation", "staging"]) await expectJson(await transition(ctx, slug, version, to), 201);
}

// ---------------------------------------------------------------- promotion through governance
//
// Production is reached only through an approved approval request whose gate
// checks pass (approved model card, complete lineage, and for limited/high risk
// a passing bias audit signed off by ethics). These helpers write those steps
// straight into the server's database, as the organisation's members would.

/** A member of the test organisation as an approver / actor. */
export function member(org: TestOrg, role: Role): { userId: number; label: string; role: Role; actor: Actor } {
  const user = findUserByEmail(getDb(), org.emails[role]);
  if (!user) throw new Error(`No ${role} user ${org.emails[role]}`);
  return { userId: user.id, label: user.email, role, actor: { type: "user", id: user.id, label: user.email } };
}

const FAIR_AUDIT_CONFIG = BiasAuditConfigSchema.parse({
  groupColumns: ["group"],
  labelColumn: "label",
  positiveLabels: ["1"],
  predictionColumn: "prediction",
  positivePredictions: ["1"],
});
/** 80 predictions, identical rates in both groups: the audit passes. */
const FAIR_ROWS = ["a", "b"].flatMap((group) =>
  Array.from({ length: 40 }, (_, i) => ({ group, label: i % 2, prediction: i % 2 })),
);

/** Satisfies the promotion gates of a version (its lineage must already be complete). */
export async function clearPromotionGates(org: TestOrg, slug: string, version: string) {
  const team = member(org, "team");
  const ethics = member(org, "ethics");
  const sections = writtenCardSections({ modelDetails: "Written by the e2e suite.", intendedUse: "End-to-end tests." });
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
  const request = openApprovalRequest(org.id, slug, version, { reason: "e2e" }, { ...SYSTEM_ACTOR, label: "e2e" });
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

export const isoDay = (date: Date) => date.toISOString().slice(0, 10);
export const DAY = 86_400_000;
