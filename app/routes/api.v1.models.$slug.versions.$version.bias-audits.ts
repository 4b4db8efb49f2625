import type { ActionFunctionArgs } from "@remix-run/node";
import { apiError, apiRoute, created, issuesOf, methodNotAllowed, readJsonBody, requireApiToken } from "~/modules/http/api.server";
import { runBiasAudit } from "~/modules/governance/bias-audits.server";
import { BiasAuditConfigSchema, BiasAuditJsonSchema } from "~/modules/governance/governance-schemas";
import { fileStream, spoolMultipartUpload, UploadTooLarge } from "~/utils/upload.server";

export const loader = () => apiRoute(() => methodNotAllowed(["POST"]));

/** JSON `{config, rows}`, or multipart/form-data with a `file` (CSV) and a `config` field holding JSON. */
export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    const token = requireApiToken(request, "governance:write");
    const [slug, version] = [params.slug ?? "", params.version ?? ""];
    if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) {
      const body = await readJsonBody(request, BiasAuditJsonSchema);
      return created(await runBiasAudit(token.orgId, slug, version, body.config, { kind: "rows", rows: body.rows }, token.actor, "api-json"));
    }
    let upload;
    try {
      upload = await spoolMultipartUpload(request);
    } catch (error) {
      if (error instanceof UploadTooLarge) return apiError(413, "payload_too_large", error.message);
      return apiError(400, "malformed_multipart", "The multipart body could not be read");
    }
    try {
      let rawConfig: unknown;
      try {
        rawConfig = JSON.parse(upload.fields.config ?? "");
      } catch {
        return apiError(400, "malformed_json", "The `config` field must hold JSON", [{ path: "config", message: "Not valid JSON" }]);
      }
      const config = BiasAuditConfigSchema.safeParse(rawConfig);
      if (!config.success) return apiError(422, "invalid", "The audit configuration is invalid", issuesOf(config.error).map((i) => ({ ...i, path: `config.${i.path}` })));
      if (!upload.file) return apiError(422, "invalid", "Send the predictions as a `file` part", [{ path: "file", message: "Missing" }]);
      const audit = await runBiasAudit(token.orgId, slug, version, config.data, { kind: "csv", stream: fileStream(upload.file.path), fileName: upload.file.name }, token.actor, "api-csv");
      return created(audit);
    } finally {
      upload.cleanup();
    }
  });
