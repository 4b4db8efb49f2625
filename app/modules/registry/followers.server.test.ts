import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { auditEvents } from "../../../db/schema";
import { createTestOrg, member } from "../../../tests/setup/test-orgs";
import { modelWatchers } from "../notifications/notifications.server";
import { followState, setFollowing } from "./followers.server";
import { createModel, getModel, updateModel } from "./registry.server";

const auditedActions = (orgId: number) =>
  getDb()
    .select({ action: auditEvents.action, actor: auditEvents.actorLabel, payload: auditEvents.payload })
    .from(auditEvents)
    .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.entityType, "model")))
    .all();

describe("following a model", () => {
  it("adds the member to the model's watchers once, audited; unfollowing removes them, audited", async () => {
    const org = await createTestOrg("follow");
    const team = member(org, "team");
    const auditor = member(org, "auditor");
    const model = createModel(org.id, { name: "Churn", riskTier: "limited" }, team.actor, "ui");
    const auditor$ = { userId: auditor.userId, label: auditor.label };

    expect(followState(model.id, auditor.userId)).toEqual({ followers: 0, following: false });
    expect(setFollowing(org.id, model.slug, auditor$, true)).toBe(true);
    expect(setFollowing(org.id, model.slug, auditor$, true), "following again changes nothing").toBe(false);
    expect(followState(model.id, auditor.userId)).toEqual({ followers: 1, following: true });
    expect(followState(model.id, team.userId)).toEqual({ followers: 1, following: false });
    expect(modelWatchers(getDb(), getModel(org.id, model.slug)!).sort()).toEqual([team.userId, auditor.userId].sort());

    expect(setFollowing(org.id, model.slug, auditor$, false)).toBe(true);
    expect(setFollowing(org.id, model.slug, auditor$, false), "not following: nothing to do").toBe(false);
    expect(modelWatchers(getDb(), getModel(org.id, model.slug)!)).toEqual([team.userId]);

    const follows = auditedActions(org.id).filter((e) => e.action.startsWith("model.") && e.action.endsWith("followed"));
    expect(follows.map((e) => [e.action, e.actor])).toEqual([
      ["model.followed", auditor.label],
      ["model.unfollowed", auditor.label],
    ]);
  });

  it("is refused for a model of another organisation", async () => {
    const org = await createTestOrg("follow-own");
    const other = await createTestOrg("follow-other");
    const model = createModel(other.id, { name: "Elsewhere", riskTier: "minimal" }, member(other, "team").actor, "ui");
    const me = member(org, "team");
    expect(() => setFollowing(org.id, model.slug, { userId: me.userId, label: me.label }, true)).toThrow("Model not found");
  });
});

describe("a model's owning person", () => {
  it("is who registers it unless another member is named; a non-member is a field error and nothing changes", async () => {
    const org = await createTestOrg("owner");
    const outsider = await createTestOrg("owner-outsider");
    const team = member(org, "team");
    const ethics = member(org, "ethics");
    const mine = createModel(org.id, { name: "Mine", riskTier: "minimal" }, team.actor, "ui");
    expect(getModel(org.id, mine.slug)!.owner).toEqual({ email: org.emails.team, name: expect.any(String) as string });
    const theirs = createModel(org.id, { name: "Theirs", riskTier: "minimal", ownerEmail: org.emails.ethics }, team.actor, "api");
    expect(getModel(org.id, theirs.slug)).toMatchObject({ ownerUserId: ethics.userId, owner: { email: org.emails.ethics } });

    const refused = () =>
      createModel(org.id, { name: "Nobody's", riskTier: "minimal", ownerEmail: outsider.emails.team }, team.actor, "api");
    expect(refused).toThrow(`${outsider.emails.team} is not an active member of this organisation`);
    try {
      refused();
    } catch (error) {
      expect(error).toMatchObject({ code: "invalid", field: "ownerEmail" });
    }
    expect(getModel(org.id, "nobody-s"), "nothing registered").toBeNull();

    updateModel(org.id, mine.slug, { name: "Mine", riskTier: "minimal", ownerEmail: org.emails.ethics }, team.actor);
    expect(getModel(org.id, mine.slug)!.owner?.email).toBe(org.emails.ethics);
    const [updated] = auditedActions(org.id).filter((e) => e.action === "model.updated");
    const payload = JSON.parse(updated!.payload) as { before: { ownerUserId: number }; after: { ownerUserId: number } };
    expect([payload.before.ownerUserId, payload.after.ownerUserId], "audited with the model change").toEqual([team.userId, ethics.userId]);
    updateModel(org.id, mine.slug, { name: "Mine", riskTier: "minimal" }, team.actor);
    expect(getModel(org.id, mine.slug)!.owner, "the form left empty: nobody").toBeNull();
  });
});
