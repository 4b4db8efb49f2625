import { listApprovalPolicies } from "~/modules/governance/approval-policies.server";
import { openApprovalRequest, getApprovalRequest } from "~/modules/governance/approvals.server";
import { runUploadedBiasAudit, type BiasAuditUploadFormat } from "~/modules/governance/bias-audit-upload.server";
import { getBiasAudit, runBiasAudit } from "~/modules/governance/bias-audits.server";
import {
  ApprovalPolicyListSchema,
  ApprovalRequestSchema,
  BiasAuditSchema,
  ModelCardSchema,
} from "~/modules/governance/governance-response-schemas";
import { ApprovalRequestOpenSchema, BiasAuditConfigSchema, BiasAuditJsonSchema } from "~/modules/governance/governance-schemas";
import { getCardForExport } from "~/modules/governance/model-cards.server";
import { apiError, apiJson, created, issuesOf, pathId, readJsonBody, requireApiToken } from "~/modules/http/api.server";
import type { ApiHandlers } from "~/modules/http/api-router.server";
import { mediaType } from "~/utils/http";

/** The issue at a part the upload lacks (`config` or `file`). */
const MISSING_PART = "Missing";

/** A bias audit sent as multipart/form-data: a `config` part holding the audit configuration as JSON, and a `file` part (CSV). */
const MULTIPART_FORMAT: BiasAuditUploadFormat = {
  readConfig(fields) {
    // A missing part is a missing field (422), as a missing `file` is; only a `config` that is there can be malformed.
    if (!fields.config?.trim()) {
      const issues = [{ path: "config", message: MISSING_PART }];
      return {
        ok: false,
        refusal: { status: 422, code: "invalid", message: "Send the audit configuration as a `config` part holding JSON", issues },
      };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(fields.config);
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
    const issues = issuesOf(config.error).map((i) => ({ ...i, path: i.path ? `config.${i.path}` : "config" }));
    return { ok: false, refusal: { status: 422, code: "invalid", message: "The audit configuration is invalid", issues } };
  },
  missingFile: MISSING_PART,
};

const UNSUPPORTED_BIAS_AUDIT_TYPE =
  "Send a bias audit as application/json ({config, rows}) or as multipart/form-data (a CSV `file` part and a JSON `config` part)";

/** Governance: bias audits, model cards and approval requests. */
export const governanceHandlers = {
  /**
   * JSON `{config, rows}` (also without a Content-Type), or multipart/form-data with a `file` (CSV) and a `config`
   * field holding JSON; any other Content-Type is 415 before the body is read.
   */
  runBiasAudit: async ({ request, params }) => {
    const token = requireApiToken(request, "governance:write");
    const target = { orgId: token.orgId, modelSlug: params.slug, version: params.version };
    const type = mediaType(request);
    if (type === "multipart/form-data") {
      const outcome = await runUploadedBiasAudit(request, target, MULTIPART_FORMAT, token.actor, "api-csv");
      if (!outcome.ok) return apiError(outcome.refusal.status, outcome.refusal.code, outcome.refusal.message, outcome.refusal.issues);
      return created(BiasAuditSchema, outcome.audit);
    }
    if (type !== "" && type !== "application/json") {
      return apiError(415, "unsupported_media_type", UNSUPPORTED_BIAS_AUDIT_TYPE);
    }
    const body = await readJsonBody(request, BiasAuditJsonSchema);
    const source = { kind: "rows" as const, rows: body.rows };
    return created(
      BiasAuditSchema,
      await runBiasAudit(target.orgId, target.modelSlug, target.version, body.config, source, token.actor, "api-json"),
    );
  },

  getBiasAudit: ({ request, params }) => {
    const token = requireApiToken(request, "governance:read");
    const audit = getBiasAudit(token.orgId, pathId(params.id));
    return audit ? apiJson(BiasAuditSchema, audit) : apiError(404, "not_found", "Bias audit not found");
  },

  getModelCard: ({ request, params }) => {
    const token = requireApiToken(request, "governance:read");
    const found = getCardForExport(token.orgId, params.slug, params.version);
    if (!found) return apiError(404, "not_found", "No model card for this version");
    const { comments: _comments, ...card } = found.card;
    return apiJson(ModelCardSchema, { model: found.model.slug, version: found.version.version, ...card });
  },

  /** Pipelines open promotion requests; people decide them in the portal. */
  openApprovalRequest: async ({ request, params }) => {
    const token = requireApiToken(request, "governance:write");
    const input = (request.headers.get("content-length") ?? "0") === "0" ? {} : await readJsonBody(request, ApprovalRequestOpenSchema);
    return created(ApprovalRequestSchema, openApprovalRequest(token.orgId, params.slug, params.version, input, token.actor));
  },

  getApprovalRequest: ({ request, params }) => {
    const token = requireApiToken(request, "governance:read");
    const approval = getApprovalRequest(token.orgId, pathId(params.id));
    return approval ? apiJson(ApprovalRequestSchema, approval) : apiError(404, "not_found", "Approval request not found");
  },

  listApprovalPolicies: ({ request }) => {
    const token = requireApiToken(request, "governance:read");
    return apiJson(ApprovalPolicyListSchema, { tiers: listApprovalPolicies(token.orgId) });
  },
} satisfies ApiHandlers;
