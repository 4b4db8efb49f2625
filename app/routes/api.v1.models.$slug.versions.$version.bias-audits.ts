import type { ActionFunctionArgs } from "@remix-run/node";
import { apiError, apiRoute, created, issuesOf, methodNotAllowed, readJsonBody, requireApiToken } from "~/modules/http/api.server";
import { runBiasAudit } from "~/modules/governance/bias-audits.server";
import { runUploadedBiasAudit, type BiasAuditUploadFormat } from "~/modules/governance/bias-audit-upload.server";
import { BiasAuditConfigSchema, BiasAuditJsonSchema } from "~/modules/governance/governance-schemas";
import { BiasAuditSchema } from "~/modules/governance/governance-response-schemas";

export const loader = () => apiRoute(() => methodNotAllowed(["POST"]));

/** A `config` part holding the audit configuration as JSON, and a `file` part. */
const MULTIPART_FORMAT: BiasAuditUploadFormat = {
  readConfig(fields) {
    let raw: unknown;
    try {
      raw = JSON.parse(fields.config ?? "");
    } catch {
      return {
        ok: false,
        refusal: {
          status: 400,
          code: "malformed_json",
          message: "The `config` field must hold JSON",
          issues: [{ path: "config", message: "Not valid JSON" }],
        },
      };
    }
    const config = BiasAuditConfigSchema.safeParse(raw);
    if (config.success) return { ok: true, config: config.data };
    const issues = issuesOf(config.error).map((i) => ({ ...i, path: `config.${i.path}` }));
    return { ok: false, refusal: { status: 422, code: "invalid", message: "The audit configuration is invalid", issues } };
  },
  missingFile: "Missing",
};

/** JSON `{config, rows}`, or multipart/form-data with a `file` (CSV) and a `config` field holding JSON. */
export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    const token = requireApiToken(request, "governance:write");
    const target = { orgId: token.orgId, modelSlug: params.slug ?? "", version: params.version ?? "" };
    if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) {
      const body = await readJsonBody(request, BiasAuditJsonSchema);
      return created(
        BiasAuditSchema,
        await runBiasAudit(
          target.orgId,
          target.modelSlug,
          target.version,
          body.config,
          { kind: "rows", rows: body.rows },
          token.actor,
          "api-json",
        ),
      );
    }
    const outcome = await runUploadedBiasAudit(request, target, MULTIPART_FORMAT, token.actor, "api-csv");
    if (!outcome.ok) return apiError(outcome.refusal.status, outcome.refusal.code, outcome.refusal.message, outcome.refusal.issues);
    return created(BiasAuditSchema, outcome.audit);
  });
