import { AuditVerificationSchema } from "~/modules/audit/audit-response-schemas";
import { verifyAuditChain } from "~/modules/audit/audit.server";
import { findFramework, listFrameworkVersions } from "~/modules/framework/framework";
import { FrameworkQuerySchema, FrameworkSummarySchema } from "~/modules/framework/framework-response-schemas";
import { apiError, apiJson, parseQuery, requireApiToken } from "~/modules/http/api.server";
import type { ApiHandlers } from "~/modules/http/api-router.server";

/** The framework assessments are scored against (public, like its pages: no token), and the audit trail's check. */
export const frameworkAndAuditHandlers = {
  getFramework: ({ request }) => {
    const { version } = parseQuery(request, FrameworkQuerySchema);
    const framework = findFramework(version);
    if (!framework) return apiError(404, "not_found", `No framework version ${version}; available: ${listFrameworkVersions().join(", ")}`);
    return apiJson(FrameworkSummarySchema, {
      id: framework.id,
      version: framework.version,
      name: framework.name,
      levels: framework.levels.map((l) => ({ level: l.level, name: l.name, alias: l.alias, summary: l.summary })),
      components: framework.components.map((c) => ({
        id: c.id,
        name: c.name,
        weight: c.weight,
        capabilities: c.capabilities.map((s) => ({ id: s.id, level: s.level, text: s.text })),
      })),
      questions: framework.questions.map((q) => ({
        id: q.id,
        componentId: q.componentId,
        title: q.title,
        prompt: q.prompt,
        responses: q.responses,
        guidance: q.guidance,
      })),
      roadmaps: framework.roadmaps,
      evidenceRules: framework.evidenceRules,
      bands: framework.bands,
    });
  },

  verifyAuditChain: ({ request }) => {
    const token = requireApiToken(request, "audit:read");
    const result = verifyAuditChain(token.orgId);
    return apiJson(
      AuditVerificationSchema,
      result.ok
        ? { ok: true, events: result.events }
        : { ok: false, firstBrokenId: result.firstBrokenId, events: result.events, reason: result.reason },
    );
  },
} satisfies ApiHandlers;
