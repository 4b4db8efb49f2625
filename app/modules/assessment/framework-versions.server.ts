import { createHash } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { getDb, writeTransaction, type DbOrTx } from "../../../db/client";
import { frameworkVersions } from "../../../db/schema";
import { conflict, DomainError } from "../../utils/errors";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import { findFramework, isBuiltInFrameworkVersion, listBuiltInFrameworkVersions } from "../framework/framework";
import { FrameworkSchema, type Framework } from "../framework/framework-schema";
import { validateFrameworkText, type FrameworkContext, type FrameworkIssue } from "../framework/framework-validation";

/**
 * Framework versions uploaded by site administrators (`framework_versions`):
 * checked with the same schema and cross-checks as `content/`, kept as a draft
 * that can be previewed, replaced or deleted, then published, after which it
 * never changes. Shared data: every write bumps the site counter, and the data
 * cache's reader of published versions (app/data-cache.server.ts) serves them
 * to `findFramework`. Audited in the site-wide chain (no organisation).
 */

export type UploadedFrameworkVersion = {
  id: number;
  frameworkId: string;
  version: string;
  name: string;
  status: "draft" | "published";
  contentHash: string;
  uploadedBy: string;
  uploadedAt: string;
  publishedBy: string | null;
  publishedAt: string | null;
};

const listColumns = {
  id: frameworkVersions.id,
  frameworkId: frameworkVersions.frameworkId,
  version: frameworkVersions.version,
  content: frameworkVersions.content,
  contentHash: frameworkVersions.contentHash,
  status: frameworkVersions.status,
  uploadedByLabel: frameworkVersions.uploadedByLabel,
  createdAt: frameworkVersions.createdAt,
  publishedByLabel: frameworkVersions.publishedByLabel,
  publishedAt: frameworkVersions.publishedAt,
};

type Row = { [K in keyof typeof listColumns]: (typeof frameworkVersions.$inferSelect)[K] };

/** A stored version's content, parsed (stored rows were valid when saved; the schema fills its defaults again). */
export function parseStoredFramework(content: string): Framework {
  return FrameworkSchema.parse(JSON.parse(content));
}

function view(row: Row, framework: Framework): UploadedFrameworkVersion {
  return {
    id: row.id,
    frameworkId: row.frameworkId,
    version: row.version,
    name: framework.name,
    status: row.status,
    contentHash: row.contentHash,
    uploadedBy: row.uploadedByLabel,
    uploadedAt: row.createdAt.toISOString(),
    publishedBy: row.publishedByLabel,
    publishedAt: row.publishedAt?.toISOString() ?? null,
  };
}

/** Every uploaded version, oldest first, for the site admin page. */
export function listUploadedFrameworkVersions(db: DbOrTx = getDb()): UploadedFrameworkVersion[] {
  return db
    .select(listColumns)
    .from(frameworkVersions)
    .orderBy(asc(frameworkVersions.id))
    .all()
    .map((row) => view(row, parseStoredFramework(row.content)));
}

/** One uploaded version with its parsed content (the preview), or undefined. */
export function getUploadedFrameworkVersion(id: number, db: DbOrTx = getDb()) {
  const row = db.select(listColumns).from(frameworkVersions).where(eq(frameworkVersions.id, id)).get();
  if (!row) return undefined;
  const framework = parseStoredFramework(row.content);
  return { ...view(row, framework), framework };
}

/** The published uploaded versions by version number: what the data cache serves to `findFramework`. */
export function publishedUploadedFrameworks(db: DbOrTx = getDb()): Map<string, Framework> {
  const rows = db
    .select({ version: frameworkVersions.version, content: frameworkVersions.content })
    .from(frameworkVersions)
    .where(eq(frameworkVersions.status, "published"))
    .orderBy(asc(frameworkVersions.id))
    .all();
  return new Map(rows.map((row) => [row.version, parseStoredFramework(row.content)]));
}

/**
 * What an upload is checked against: every version number in use (built-in,
 * uploaded, published or not) but the draft being replaced, and the versions
 * `replaces` may name (built-in and published uploads).
 */
export function frameworkUploadContext(db: DbOrTx = getDb(), replacing?: number): FrameworkContext {
  const uploads = db.select({ id: frameworkVersions.id, version: frameworkVersions.version }).from(frameworkVersions).all();
  const published = publishedUploadedFrameworks(db);
  return {
    takenVersions: new Set([...listBuiltInFrameworkVersions(), ...uploads.filter((u) => u.id !== replacing).map((u) => u.version)]),
    findVersion: (version) => (isBuiltInFrameworkVersion(version) ? findFramework(version) : published.get(version)),
  };
}

/** A refused upload: every issue, each at its path (the page lists them; the API would list them as issues). */
export class FrameworkUploadInvalid extends DomainError {
  constructor(readonly frameworkIssues: FrameworkIssue[]) {
    super(
      "invalid",
      `The framework version has ${frameworkIssues.length} problem${frameworkIssues.length === 1 ? "" : "s"}`,
      "content",
      frameworkIssues,
    );
  }
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

function draftRow(tx: DbOrTx, id: number) {
  const row = tx.select(listColumns).from(frameworkVersions).where(eq(frameworkVersions.id, id)).get();
  if (!row) throw new DomainError("not_found", "No such framework version", "versionId");
  if (row.status !== "draft") throw conflict(`Version ${row.version} is published: published versions can never be changed`, "versionId");
  return row;
}

/**
 * Saves a valid upload as a draft: a new one, or in place of the draft `replaceId`.
 * Nothing is saved when it is invalid (FrameworkUploadInvalid lists why).
 */
export function saveFrameworkDraft(text: string, actor: Actor & { type: "user" }, replaceId?: number): UploadedFrameworkVersion {
  return writeTransaction("site", (tx) => {
    const replaced = replaceId === undefined ? undefined : draftRow(tx, replaceId);
    const result = validateFrameworkText(text, frameworkUploadContext(tx, replaceId));
    if (!result.ok) throw new FrameworkUploadInvalid(result.issues);
    const { framework } = result;
    const values = {
      frameworkId: framework.id,
      version: framework.version,
      content: text,
      contentHash: sha256(text),
      status: "draft" as const,
      uploadedById: actor.id,
      uploadedByLabel: actor.label,
      createdAt: new Date(),
    };
    const row = replaced
      ? tx.update(frameworkVersions).set(values).where(eq(frameworkVersions.id, replaced.id)).returning(listColumns).get()
      : tx.insert(frameworkVersions).values(values).returning(listColumns).get();
    recordAuditEvent(tx, {
      orgId: null,
      actor,
      action: replaced ? "framework_version.replaced" : "framework_version.uploaded",
      entityType: "framework_version",
      entityId: row.id,
      before: replaced ? { version: replaced.version, contentHash: replaced.contentHash } : undefined,
      after: { frameworkId: row.frameworkId, version: row.version, contentHash: row.contentHash, status: "draft" },
    });
    return view(row, framework);
  });
}

/** Deletes a draft (a published version cannot be deleted). */
export function deleteFrameworkDraft(id: number, actor: Actor & { type: "user" }): string {
  return writeTransaction("site", (tx) => {
    const row = draftRow(tx, id);
    tx.delete(frameworkVersions).where(eq(frameworkVersions.id, id)).run();
    recordAuditEvent(tx, {
      orgId: null,
      actor,
      action: "framework_version.deleted",
      entityType: "framework_version",
      entityId: id,
      before: { frameworkId: row.frameworkId, version: row.version, contentHash: row.contentHash, status: "draft" },
    });
    return row.version;
  });
}

/** Publishes a draft: from then on organisations may choose it, and it never changes. */
export function publishFrameworkVersion(id: number, actor: Actor & { type: "user" }): string {
  return writeTransaction("site", (tx) => {
    const row = draftRow(tx, id);
    // Checked again: a version `replaces` names, or its number, may have changed since the draft was saved.
    const result = validateFrameworkText(row.content, frameworkUploadContext(tx, id));
    if (!result.ok) throw new FrameworkUploadInvalid(result.issues);
    const now = new Date();
    tx.update(frameworkVersions)
      .set({ status: "published", publishedById: actor.id, publishedByLabel: actor.label, publishedAt: now })
      .where(and(eq(frameworkVersions.id, id), eq(frameworkVersions.status, "draft")))
      .run();
    recordAuditEvent(tx, {
      orgId: null,
      actor,
      action: "framework_version.published",
      entityType: "framework_version",
      entityId: id,
      before: { status: "draft" },
      after: { frameworkId: row.frameworkId, version: row.version, contentHash: row.contentHash, status: "published" },
    });
    return row.version;
  });
}
