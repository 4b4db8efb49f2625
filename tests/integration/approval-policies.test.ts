import { describe } from "vitest";
import { verifyAuditChain } from "../../app/modules/audit/audit.server";
import { createModel, createVersion, getVersionDetail } from "../../app/modules/registry/registry.server";
import { API, apiClient, expectApiError, expectJson, type ApiClient } from "../setup/api-client";
import { expect, test } from "../setup/api-test";
import { signIn } from "../setup/sign-in";
import { clearPromotionGates, fullLineage, member, PROMOTE, TEST_PASSWORD, uniqueSlug, type TestOrg } from "../setup/test-orgs";

/**
 * Approval policies end to end over real HTTP: an admin proposes "automatic"
 * for a tier on the admin page, an ethics member confirms it there, and a
 * pipeline token with registry:promote then promotes through the API
 * transition, which answers with the promotion instead of 409.
 */

const pagePath = (org: TestOrg) => `/orgs/${org.slug}/admin/approval-policies`;

async function signedIn(baseURL: string, org: TestOrg, role: "admin" | "ethics" | "auditor" | "team"): Promise<ApiClient> {
  const { cookie } = await signIn(baseURL, org.emails[role], TEST_PASSWORD);
  return apiClient(baseURL, { headers: { cookie } });
}

/** A model of `riskTier` with version 1.0.0 (full lineage) in staging. */
function stagingModel(org: TestOrg, riskTier: "minimal" | "limited" | "high") {
  const team = member(org, "team");
  const slug = uniqueSlug("policy-api");
  createModel(org.id, { name: "Policy API", slug, riskTier }, team.actor, "ui");
  createVersion(org.id, slug, { version: "1.0.0", stage: "staging", ...fullLineage }, team.actor, "ui");
  return { slug, base: `${API}/models/${slug}/versions/1.0.0` };
}

type PolicyList = { tiers: Array<{ riskTier: string; inForce: { rule: { automatic: boolean } }; pending: { id: number } | null }> };
const tierOf = (list: PolicyList, riskTier: string) => list.tiers.find((t) => t.riskTier === riskTier)!;

describe("promotion under an automatic approval policy", () => {
  test("admin proposes automatic for minimal risk, ethics confirms, a promote token promotes (200, not 409) with the gate snapshot audited", async ({
    testOrg,
    apiAs,
    baseURL,
  }) => {
    const admin = await signedIn(baseURL, testOrg, "admin");
    const ethics = await signedIn(baseURL, testOrg, "ethics");
    const { ctx: reader } = await apiAs(testOrg.id, ["governance:read"]);

    const proposed = await admin.post(pagePath(testOrg), { form: { intent: "propose", riskTier: "minimal", mode: "automatic" } });
    expect(proposed.status()).toBe(200);
    expect(await proposed.text()).toContain("applies once an ethics committee member confirms it");
    let list = await expectJson<PolicyList>(await reader.get(`${API}/approval-policies`), 200);
    const pending = tierOf(list, "minimal").pending!;
    expect(tierOf(list, "minimal").inForce.rule.automatic).toBe(false);

    // Not in force yet: the pipeline is refused as before.
    const { slug, base } = stagingModel(testOrg, "minimal");
    await clearPromotionGates(testOrg, slug, "1.0.0");
    const { ctx: pipeline } = await apiAs(testOrg.id, PROMOTE, "deploy-pipeline");
    await expectApiError(await pipeline.post(`${base}/transitions`, { data: { to: "production" } }), 409, "conflict");

    // The proposer cannot confirm; the ethics member must tick that they read what it allows.
    expect((await admin.post(pagePath(testOrg), { form: { intent: "confirm", policyId: pending.id, understood: "yes" } })).status()).toBe(
      403,
    );
    expect(await (await ethics.get(`/orgs/${testOrg.slug}/inbox`)).text()).toContain("1 approval policy proposal.");
    expect(await (await ethics.get(`/orgs/${testOrg.slug}/reviews`)).text()).toContain("Approval policies waiting for confirmation");
    const page = await (await ethics.get(pagePath(testOrg))).text();
    expect(page).toContain("without any human approval as soon as every gate passes");
    expect((await ethics.post(pagePath(testOrg), { form: { intent: "confirm", policyId: pending.id } })).status()).toBe(400);
    const confirmed = await ethics.post(pagePath(testOrg), { form: { intent: "confirm", policyId: pending.id, understood: "yes" } });
    expect(confirmed.status()).toBe(200);
    list = await expectJson<PolicyList>(await reader.get(`${API}/approval-policies`), 200);
    expect(tierOf(list, "minimal")).toMatchObject({ inForce: { rule: { automatic: true } }, pending: null });

    const promoted = await expectJson(await pipeline.post(`${base}/transitions`, { data: { to: "production" } }), 200);
    expect(promoted).toMatchObject({ model: slug, version: "1.0.0", to: "production", approvalPolicyId: pending.id });
    const { ctx: registry } = await apiAs(testOrg.id, ["registry:read"]);
    expect(await expectJson(await registry.get(base), 200)).toMatchObject({ stage: "production" });

    const production = getVersionDetail(testOrg.id, slug, "1.0.0")!.transitions[0]!;
    expect(production).toMatchObject({
      toStage: "production",
      approvalPolicyId: pending.id,
      actor: expect.stringContaining("deploy-pipeline"),
    });
    const { ctx: auditor } = await apiAs(testOrg.id, ["audit:read"]);
    const lines = (await (await auditor.get(`${API}/audit/events`)).text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { action: string; payload: string });
    const event = lines.find((e) => e.action === "model_version.promoted_by_policy")!;
    const after = (JSON.parse(event.payload) as { after: Record<string, unknown> }).after;
    expect(after).toMatchObject({
      model: slug,
      stage: "production",
      approvalPolicy: { id: pending.id, proposedBy: testOrg.emails.admin, confirmedBy: testOrg.emails.ethics },
    });
    expect((after.gates as Array<{ id: string; passed: boolean }>).map((c) => c.id)).toEqual([
      "risk_tier",
      "model_card",
      "bias_audit",
      "lineage",
    ]);
    expect(lines.map((e) => e.action)).toEqual(expect.arrayContaining(["approval_policy.proposed", "approval_policy.confirmed"]));
    expect(verifyAuditChain(testOrg.id).ok).toBe(true);

    // The version page says so, with the gate snapshot.
    const versionPage = await (await ethics.get(`/orgs/${testOrg.slug}/models/${slug}/versions/1.0.0`)).text();
    expect(versionPage).toContain("Approved by policy");
    expect(versionPage).toContain(`confirmed by ${testOrg.emails.ethics}`);
  });

  test("under an automatic policy a failing gate still answers 409 with the failing checks", async ({ testOrg, apiAs, baseURL }) => {
    const admin = await signedIn(baseURL, testOrg, "admin");
    const ethics = await signedIn(baseURL, testOrg, "ethics");
    await admin.post(pagePath(testOrg), { form: { intent: "propose", riskTier: "limited", mode: "automatic" } });
    const { ctx: reader } = await apiAs(testOrg.id, ["governance:read"]);
    const pending = tierOf(await expectJson<PolicyList>(await reader.get(`${API}/approval-policies`), 200), "limited").pending!;
    expect((await ethics.post(pagePath(testOrg), { form: { intent: "confirm", policyId: pending.id, understood: "yes" } })).status()).toBe(
      200,
    );
    const { base } = stagingModel(testOrg, "limited");
    const { ctx: pipeline } = await apiAs(testOrg.id, PROMOTE);
    const refused = await expectApiError(await pipeline.post(`${base}/transitions`, { data: { to: "production" } }), 409, "conflict");
    expect(refused.issues.map((i: { path: string }) => i.path)).toEqual(["model_card", "bias_audit"]);
    expect(refused.message).toContain("automatic approval policy");
  });

  test("high risk cannot be made automatic (422, field error); other members cannot propose; the auditor reads", async ({
    testOrg,
    baseURL,
  }) => {
    const admin = await signedIn(baseURL, testOrg, "admin");
    const refused = await admin.post(pagePath(testOrg), { form: { intent: "propose", riskTier: "high", mode: "automatic" } });
    expect(refused.status()).toBe(422);
    expect(await refused.text()).toContain("high risk cannot be automatic");
    const unacceptable = await admin.post(pagePath(testOrg), {
      form: { intent: "propose", riskTier: "unacceptable", mode: "roles", requiredRoles: "ethics" },
    });
    expect(unacceptable.status()).toBe(422);

    const ethics = await signedIn(baseURL, testOrg, "ethics");
    expect((await ethics.post(pagePath(testOrg), { form: { intent: "propose", riskTier: "minimal", mode: "automatic" } })).status()).toBe(
      403,
    );
    const auditor = await signedIn(baseURL, testOrg, "auditor");
    const page = await auditor.get(pagePath(testOrg));
    expect(page.status()).toBe(200);
    expect(await page.text()).toContain("Approval by ethics and leadership");
    expect((await auditor.post(pagePath(testOrg), { form: { intent: "withdraw", policyId: 1 } })).status()).toBe(403);
  });
});
