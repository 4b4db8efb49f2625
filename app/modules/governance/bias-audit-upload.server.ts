import { data, redirect } from "@remix-run/node";
import { DomainError } from "../../utils/errors";
import { fieldErrors } from "../../utils/validation";
import type { Actor } from "../audit/audit.server";
import { runBiasAudit } from "./bias-audits.server";
import { BiasAuditFormSchema } from "./governance-schemas";
import { fileStream, spoolMultipartUpload, UploadTooLarge, UploadUnreadable } from "../../utils/upload.server";

/**
 * The bias-audit upload form's action. `document`: the plain form post (a
 * redirect, or the page again with field errors); `json`: the XMLHttpRequest
 * that shows upload progress (`{url}` or `{errors}`).
 */
export async function handleAuditUpload(
  request: Request,
  org: { id: number; slug: string },
  params: { modelSlug?: string; version?: string },
  actor: Actor,
  mode: "document" | "json",
) {
  // After a 413 the unread rest of the body is dropped in the background (see spoolMultipartUpload).
  // A plain form post gets its typed values back, so nothing typed is lost (the file must be chosen again).
  let values: Record<string, string> = {};
  const fail = (errors: Record<string, string>, status: number) =>
    mode === "json" ? Response.json({ errors }, { status }) : data({ errors, values }, { status });
  let upload;
  try {
    upload = await spoolMultipartUpload(request);
  } catch (error) {
    if (error instanceof UploadTooLarge) return fail({ file: error.message }, 413);
    if (error instanceof UploadUnreadable) return fail({ form: error.message }, error.status);
    throw error;
  }
  values = upload.fields;
  try {
    const parsed = BiasAuditFormSchema.safeParse(upload.fields);
    const errors = parsed.success ? {} : fieldErrors(parsed.error);
    if (!upload.file || upload.file.size === 0) errors.file = "Choose a CSV file with a header row";
    if (!parsed.success || !upload.file || upload.file.size === 0) return fail(errors, 422);
    const audit = await runBiasAudit(
      org.id,
      params.modelSlug ?? "",
      params.version ?? "",
      parsed.data,
      { kind: "csv", stream: fileStream(upload.file.path), fileName: upload.file.name },
      actor,
      "ui-upload",
    );
    const url = `/orgs/${org.slug}/bias-audits/${audit.id}`;
    return mode === "json" ? Response.json({ url }, { status: 201 }) : redirect(url);
  } catch (error) {
    if (error instanceof DomainError) {
      return fail({ [(error.field ?? "form").replace(/^config\./, "")]: error.message }, error.code === "not_found" ? 404 : 422);
    }
    throw error;
  } finally {
    upload.cleanup();
  }
}
