import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiJson, apiRoute, methodNotAllowed, parseQuery } from "~/modules/http/api.server";
import { findFramework, listFrameworkVersions } from "~/modules/framework/framework";
import { FrameworkQuerySchema, FrameworkSummarySchema } from "~/modules/framework/framework-response-schemas";

/** The framework is public, like its pages: no token needed. */
export const loader = ({ request }: LoaderFunctionArgs) =>
  apiRoute(() => {
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
  });

export const action = () => apiRoute(() => methodNotAllowed(["GET"]));
