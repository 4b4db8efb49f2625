import {
  AuditEventLineSchema,
  AuditEventsQuerySchema,
  AuditPublicKeyQuerySchema,
  AuditPublicKeySchema,
  AuditVerificationSchema,
  AuditVerifyQuerySchema,
} from "~/modules/audit/audit-response-schemas";
import { auditPublicKey, listStoredChainEvents, verifyAuditTrailYielding } from "~/modules/audit/checkpoints.server";
import { getSessionUser } from "~/modules/auth/session.server";
import { findFrameworkFor, listBuiltInFrameworkVersions } from "~/modules/framework/framework";
import { alertBrokenTrail } from "~/modules/notifications/audit-alerts.server";
import { FrameworkQuerySchema, FrameworkSummarySchema } from "~/modules/framework/framework-response-schemas";
import { apiError, apiJson, hasApiToken, parseQuery, requireApiToken } from "~/modules/http/api.server";
import type { ApiHandlers } from "~/modules/http/api-router.server";

/** The framework assessments are scored against (public, like its pages: no token), and the audit trail's check. */
export const frameworkAndAuditHandlers = {
  getFramework: async ({ request }) => {
    const { version } = parseQuery(request, FrameworkQuerySchema);
    // Built-in versions are public; an uploaded one is for API tokens and signed-in people only, and
    // anyone else gets the 404 of a version that does not exist (its existence does not leak).
    const framework = await findFrameworkFor(version, async () => hasApiToken(request) || !!(await getSessionUser(request)));
    if (!framework)
      return apiError(404, "not_found", `No framework version ${version}; built-in: ${listBuiltInFrameworkVersions().join(", ")}`);
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
      levelCutoffs: framework.levelCutoffs,
      evidencePolicy: framework.evidencePolicy,
      replaces: framework.replaces,
    });
  },

  verifyAuditChain: async ({ request }) => {
    const token = requireApiToken(request, "audit:read");
    const { seq, headHash } = parseQuery(request, AuditVerifyQuerySchema);
    const anchors = seq !== undefined && headHash ? [{ seq, headHash }] : [];
    const verification = await verifyAuditTrailYielding(token.orgId, [], undefined, anchors);
    alertBrokenTrail(token.orgId, verification);
    return apiJson(AuditVerificationSchema, verification);
  },

  getAuditPublicKey: ({ request }) => {
    const { keyId } = parseQuery(request, AuditPublicKeyQuerySchema);
    const key = auditPublicKey();
    if (keyId && keyId !== key.keyId) return apiError(404, "not_found", "That key does not sign this installation's checkpoints");
    return apiJson(AuditPublicKeySchema, key);
  },

  /** JSON lines, one event per line exactly as stored (with its hashes), in sequence order; `Link: rel="next"` pages on. */
  listAuditEvents: ({ request }) => {
    const token = requireApiToken(request, "audit:read");
    const { afterSeq, limit } = parseQuery(request, AuditEventsQuerySchema);
    const { events, nextAfterSeq } = listStoredChainEvents(token.orgId, afterSeq, limit);
    const lines = events.map((e) => JSON.stringify(AuditEventLineSchema.parse({ ...e, createdAt: e.createdAt.getTime() })) + "\n");
    const headers = new Headers({ "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" });
    if (nextAfterSeq !== undefined) {
      const next = new URL(request.url);
      next.searchParams.set("afterSeq", String(nextAfterSeq));
      headers.set("link", `<${next.pathname}${next.search}>; rel="next"`);
    }
    return new Response(lines.join(""), { headers });
  },
} satisfies ApiHandlers;
