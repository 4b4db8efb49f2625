import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { withQueryCounter } from "../../../db/query-count";
import { auditEvents, changeCounters, frameworkVersions, users } from "../../../db/schema";
import v2 from "../../../content/technology-operations/v2.json";
// The data cache installs the published uploads as findFramework's source, as the server does at start.
import "../../data-cache.server";
import { findFramework, listFrameworkVersions } from "../framework/framework";
import {
  deleteFrameworkDraft,
  FrameworkUploadInvalid,
  getUploadedFrameworkVersion,
  listUploadedFrameworkVersions,
  publishFrameworkVersion,
  saveFrameworkDraft,
} from "./framework-versions.server";

const admin = getDb().insert(users).values({ email: "site@admin.test", name: "Site admin", passwordHash: "x" }).returning().get();
const actor = { type: "user" as const, id: admin.id, label: admin.email };
const text = (version: string, change: (raw: any) => void = () => {}) => {
  const raw: any = { ...structuredClone(v2), version };
  change(raw);
  return JSON.stringify(raw, null, 2);
};
const siteCounter = () => getDb().select().from(changeCounters).where(eq(changeCounters.scope, "site")).get()?.version ?? 0;
const siteEvents = () =>
  getDb()
    .select({ action: auditEvents.action, entityId: auditEvents.entityId })
    .from(auditEvents)
    .where(and(isNull(auditEvents.orgId), eq(auditEvents.entityType, "framework_version")))
    .all();

describe("uploaded framework versions", () => {
  it("save nothing when invalid, and say where", () => {
    const rowsBefore = getDb().select().from(frameworkVersions).all();
    const eventsBefore = siteEvents();
    let error: unknown;
    try {
      saveFrameworkDraft(
        text("10", (raw) => (raw.questions[0].componentId = "nowhere")),
        actor,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameworkUploadInvalid);
    expect((error as FrameworkUploadInvalid).frameworkIssues).toEqual([
      { path: "questions[0].componentId", message: 'names component "nowhere", which this version does not have' },
    ]);
    expect(getDb().select().from(frameworkVersions).all()).toEqual(rowsBefore);
    expect(siteEvents()).toEqual(eventsBefore);
  });

  it("go from draft (replaceable, deletable, not usable) to published (usable, immutable), audited and counted", () => {
    const counter = siteCounter();
    const versionsBefore = listUploadedFrameworkVersions().map((v) => v.version);
    const eventsBefore = siteEvents().length;
    const draft = saveFrameworkDraft(text("11"), actor);
    expect(draft).toMatchObject({ version: "11", status: "draft", uploadedBy: "site@admin.test" });
    expect(draft.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(siteCounter()).toBe(counter + 1);
    expect(findFramework("11")).toBeUndefined();

    const replaced = saveFrameworkDraft(text("12"), actor, draft.id);
    expect(replaced).toMatchObject({ id: draft.id, version: "12", status: "draft" });
    expect(listUploadedFrameworkVersions().map((v) => v.version)).toEqual([...versionsBefore, "12"]);

    expect(publishFrameworkVersion(draft.id, actor)).toBe("12");
    expect(findFramework("12")?.version).toBe("12");
    expect(listFrameworkVersions()).toContain("12");
    expect(getUploadedFrameworkVersion(draft.id)).toMatchObject({ status: "published", publishedBy: "site@admin.test" });

    expect(() => saveFrameworkDraft(text("13"), actor, draft.id)).toThrow(/published versions can never be changed/);
    expect(() => deleteFrameworkDraft(draft.id, actor)).toThrow(/published versions can never be changed/);
    expect(() => publishFrameworkVersion(draft.id, actor)).toThrow(/published versions can never be changed/);
    expect(() => saveFrameworkDraft(text("12"), actor)).toThrow(FrameworkUploadInvalid);

    const other = saveFrameworkDraft(text("14"), actor);
    expect(deleteFrameworkDraft(other.id, actor)).toBe("14");
    expect(getUploadedFrameworkVersion(other.id)).toBeUndefined();

    expect(siteEvents().slice(eventsBefore)).toEqual([
      { action: "framework_version.uploaded", entityId: String(draft.id) },
      { action: "framework_version.replaced", entityId: String(draft.id) },
      { action: "framework_version.published", entityId: String(draft.id) },
      { action: "framework_version.uploaded", entityId: String(other.id) },
      { action: "framework_version.deleted", entityId: String(other.id) },
    ]);
  });

  it("may replace ids of a published version", () => {
    const published = saveFrameworkDraft(text("20"), actor);
    publishFrameworkVersion(published.id, actor);
    const next = saveFrameworkDraft(
      text("21", (raw) => (raw.replaces = { version: "20", components: [{ id: "mlops", replaces: "mlops" }] })),
      actor,
    );
    expect(next.status).toBe("draft");
    expect(() =>
      saveFrameworkDraft(
        text("22", (raw) => (raw.replaces = { version: "21" })),
        actor,
      ),
    ).toThrow(FrameworkUploadInvalid); // 21 is a draft: not a version assessments could have used
  });

  it("cost a built-in version no query, and an uploaded one a counter look-up once read", () => {
    const queries = (read: () => unknown) =>
      withQueryCounter((counter) => {
        read();
        return counter.queries;
      });
    publishFrameworkVersion(saveFrameworkDraft(text("30"), actor).id, actor);
    expect(queries(() => findFramework("2"))).toBe(0);
    findFramework("30");
    expect(queries(() => findFramework("30"))).toBe(1);
    expect(findFramework("30")?.version).toBe("30");
    expect(findFramework("30")).toBe(findFramework("30"));
  });
});
