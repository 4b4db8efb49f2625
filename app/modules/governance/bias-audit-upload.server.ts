import { data, redirect } from "@remix-run/node";
import { DomainError } from "../../utils/errors";
import { CSV_SAMPLE_BYTES, notCsvReason } from "../../utils/csv-sample";
import {
  fileStream,
  spooledFileStart,
  spoolMultipartUpload,
  UploadTooLarge,
  UploadUnreadable,
  type SpooledUpload,
} from "../../utils/upload.server";
import { fieldErrors } from "../../utils/validation";
import type { Actor } from "../audit/audit.server";
import { runBiasAudit, type BiasAuditJson } from "./bias-audits.server";
import { BiasAuditFormSchema, type BiasAuditConfig } from "./governance-schemas";

type Issue = { path: string; message: string };

/** Why an uploaded bias audit was refused before it ran: the status, a code, a message and the problems by field. */
export type BiasAuditUploadRefusal = {
  status: 400 | 413 | 415 | 422;
  code: "payload_too_large" | "malformed_multipart" | "unsupported_media_type" | "malformed_json" | "invalid";
  message: string;
  issues: Issue[];
};

/** How a channel's upload is read: its configuration from the text fields, and what it says when the file part is missing. */
export type BiasAuditUploadFormat = {
  readConfig: (fields: Record<string, string>) => { ok: true; config: BiasAuditConfig } | { ok: false; refusal: BiasAuditUploadRefusal };
  missingFile: string;
};

type Refused = { ok: false; refusal: BiasAuditUploadRefusal; fields: Record<string, string> };

/**
 * The one way a bias audit's multipart upload is read, from the upload form
 * (plain post or its progress-bar twin) and from the API: the body is spooled
 * within the upload limits (the file to a temp file, the other parts as text
 * fields). The caller runs the audit on it (`auditSpooledUpload`) and then
 * calls `upload.cleanup()`.
 */
export async function spoolBiasAuditUpload(request: Request): Promise<{ ok: true; upload: SpooledUpload } | Refused> {
  try {
    return { ok: true, upload: await spoolMultipartUpload(request) };
  } catch (error) {
    if (error instanceof UploadTooLarge)
      return { ok: false, fields: {}, refusal: { status: 413, code: "payload_too_large", message: error.message, issues: [] } };
    if (error instanceof UploadUnreadable) {
      const code = error.status === 415 ? "unsupported_media_type" : "malformed_multipart";
      return { ok: false, fields: {}, refusal: { status: error.status, code, message: error.message, issues: [] } };
    }
    throw error;
  }
}

/**
 * Runs the audit on a spooled upload: the configuration is read from the text
 * fields by the format's `readConfig` (the form's fields, or the API's
 * `config` JSON part), a file that is no CSV (a PDF, a spreadsheet: its
 * beginning fails `notCsvReason`, as the form says in the browser) is 422 on
 * `file`, the audit streams the spooled file (an empty one is refused by the
 * audit, naming the problem). A refusal comes back with the
 * fields that were sent; a `DomainError` of the audit itself is thrown.
 */
export async function auditSpooledUpload(
  upload: SpooledUpload,
  target: { orgId: number; modelSlug: string; version: string },
  format: BiasAuditUploadFormat,
  actor: Actor,
  channel: "ui-upload" | "api-csv",
): Promise<{ ok: true; audit: BiasAuditJson } | Refused> {
  const { fields, file } = upload;
  const read = format.readConfig(fields);
  const fileMissing: Issue = { path: "file", message: format.missingFile };
  // A file that is no CSV (a PDF, a spreadsheet) is refused before its first line is taken for a header.
  const fileIssue: Issue | null = file ? await notCsvIssue(file) : fileMissing;
  if (!read.ok) {
    const { refusal } = read;
    return {
      ok: false,
      fields,
      refusal: refusal.status === 422 && fileIssue ? { ...refusal, issues: [...refusal.issues, fileIssue] } : refusal,
    };
  }
  if (!file)
    return {
      ok: false,
      fields,
      refusal: { status: 422, code: "invalid", message: "Send the predictions as a `file` part", issues: [fileMissing] },
    };
  if (fileIssue) return { ok: false, fields, refusal: { status: 422, code: "invalid", message: fileIssue.message, issues: [fileIssue] } };
  const source = { kind: "csv" as const, stream: fileStream(file.path), fileName: file.name };
  return { ok: true, audit: await runBiasAudit(target.orgId, target.modelSlug, target.version, read.config, source, actor, channel) };
}

/**
 * A file that is no CSV at all (a PDF, a spreadsheet, binary bytes), told in
 * the words the upload form says it in the browser (`notCsvReason` on the
 * same beginning of the file); its first line would otherwise be read as a
 * header of binary noise.
 */
async function notCsvIssue(file: { path: string; size: number }): Promise<Issue | null> {
  const { bytes, complete } = await spooledFileStart(file, CSV_SAMPLE_BYTES);
  const reason = notCsvReason(bytes, { complete });
  return reason ? { path: "file", message: reason } : null;
}

/** A multipart upload, read and audited (`spoolBiasAuditUpload`, `auditSpooledUpload`); the spooled file is removed after. */
export async function runUploadedBiasAudit(
  request: Request,
  target: { orgId: number; modelSlug: string; version: string },
  format: BiasAuditUploadFormat,
  actor: Actor,
  channel: "ui-upload" | "api-csv",
): Promise<{ ok: true; audit: BiasAuditJson } | Refused> {
  const spooled = await spoolBiasAuditUpload(request);
  if (!spooled.ok) return spooled;
  try {
    return await auditSpooledUpload(spooled.upload, target, format, actor, channel);
  } finally {
    spooled.upload.cleanup();
  }
}

/** The upload form's flat fields (comma-separated lists, a mode switch) as the audit configuration. */
const FORM_FORMAT: BiasAuditUploadFormat = {
  readConfig(fields) {
    const parsed = BiasAuditFormSchema.safeParse(fields);
    if (parsed.success) return { ok: true, config: parsed.data };
    const issues = Object.entries(fieldErrors(parsed.error)).map(([path, message]) => ({ path, message }));
    return { ok: false, refusal: { status: 422, code: "invalid", message: "The audit configuration is invalid", issues } };
  },
  missingFile: "Choose a CSV file with a header row",
};

type Answer = Response | ReturnType<typeof data>;

/**
 * Runs the form's upload at most once per its one-time token: `submitOnce`
 * (app/modules/http, a rung above this domain) bound by the route.
 */
export type RunUploadOnce = <A extends Answer>(upload: SpooledUpload, run: () => Promise<A>) => Promise<A | Answer>;

/**
 * The bias-audit upload form's action. `document`: the plain form post (a
 * redirect, or the page again with field errors and the typed values, so
 * nothing typed is lost; the file must be chosen again); `json`: the
 * XMLHttpRequest that shows upload progress (`{url}` or `{errors}`). The
 * form's one-time token is read from the spooled upload: a repeat of the
 * same upload answers with the first audit instead of running another.
 */
export async function biasAuditFormAction(
  request: Request,
  org: { id: number; slug: string },
  params: { modelSlug?: string; version?: string },
  actor: Actor,
  mode: "document" | "json",
  once: RunUploadOnce,
) {
  let values: Record<string, string> = {};
  const fail = (errors: Record<string, string>, status: number) =>
    mode === "json" ? Response.json({ errors }, { status }) : data({ errors, values }, { status });
  const refused = ({ refusal }: Refused) => {
    const errors = Object.fromEntries(refusal.issues.map((issue) => [issue.path, issue.message]));
    return fail(refusal.issues.length ? errors : { [refusal.status === 413 ? "file" : "form"]: refusal.message }, refusal.status);
  };
  const spooled = await spoolBiasAuditUpload(request);
  if (!spooled.ok) return refused(spooled);
  try {
    return await once(spooled.upload, async () => {
      try {
        const target = { orgId: org.id, modelSlug: params.modelSlug ?? "", version: params.version ?? "" };
        const format = { ...FORM_FORMAT, readConfig: (fields: Record<string, string>) => FORM_FORMAT.readConfig((values = fields)) };
        const outcome = await auditSpooledUpload(spooled.upload, target, format, actor, "ui-upload");
        if (!outcome.ok) return refused(outcome);
        const url = `/orgs/${org.slug}/bias-audits/${outcome.audit.id}`;
        return mode === "json" ? Response.json({ url }, { status: 201 }) : redirect(url);
      } catch (error) {
        if (error instanceof DomainError) {
          return fail({ [(error.field ?? "form").replace(/^config\./, "")]: error.message }, error.code === "not_found" ? 404 : 422);
        }
        throw error;
      }
    });
  } finally {
    spooled.upload.cleanup();
  }
}
