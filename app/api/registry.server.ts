import { cached } from "~/data-cache.server";
import { transitionVersion } from "~/modules/governance/transitions.server";
import { apiError, apiJson, created, parseQuery, pathId, readJsonBody, requireApiToken } from "~/modules/http/api.server";
import type { ApiHandlers } from "~/modules/http/api-router.server";
import {
  createIncident,
  createModel,
  createVersion,
  findModelBySlug,
  getIncident,
  getModel,
  listVersions,
  recordMonitoringSnapshot,
  updateIncident,
  versionJson,
} from "~/modules/registry/registry.server";
import {
  IncidentSchema,
  ModelListSchema,
  ModelSchema,
  ModelVersionListSchema,
  ModelVersionOfModelSchema,
  MonitoringSnapshotRecordSchema,
  RegistryMetricsSchema,
  StageTransitionSchema,
} from "~/modules/registry/registry-response-schemas";
import {
  IncidentCreateSchema,
  IncidentUpdateSchema,
  MetricsWindowSchema,
  ModelCreateSchema,
  ModelListQuerySchema,
  ModelVersionCreateSchema,
  MonitoringSnapshotSchema,
  TransitionSchema,
} from "~/modules/registry/registry-schemas";
import { currentQuarterRange } from "~/utils/quarters";

/** The model registry's endpoints: models, versions, incidents, monitoring and the registry's figures. */
export const registryHandlers = {
  listModels: ({ request }) => {
    const token = requireApiToken(request, "registry:read");
    return apiJson(ModelListSchema, cached.modelList(token.orgId, parseQuery(request, ModelListQuerySchema)));
  },

  createModel: async ({ request }) => {
    const token = requireApiToken(request, "registry:write");
    const input = await readJsonBody(request, ModelCreateSchema);
    const model = createModel(token.orgId, input, token.actor, "api");
    return created(ModelSchema, getModel(token.orgId, model.slug)!);
  },

  getModel: ({ request, params }) => {
    const token = requireApiToken(request, "registry:read");
    const model = getModel(token.orgId, params.slug);
    return model ? apiJson(ModelSchema, model) : apiError(404, "not_found", "Model not found");
  },

  listModelVersions: ({ request, params }) => {
    const token = requireApiToken(request, "registry:read");
    const model = findModelBySlug(token.orgId, params.slug);
    if (!model) return apiError(404, "not_found", "Model not found");
    return apiJson(ModelVersionListSchema, { model: model.slug, versions: listVersions(model.id) });
  },

  createModelVersion: async ({ request, params }) => {
    const token = requireApiToken(request, "registry:write");
    const input = await readJsonBody(request, ModelVersionCreateSchema);
    const { model, version } = createVersion(token.orgId, params.slug, input, token.actor, "api");
    return created(ModelVersionOfModelSchema, { model: model.slug, ...versionJson(version, input.parentVersion ?? null) });
  },

  getModelVersion: ({ request, params }) => {
    const token = requireApiToken(request, "registry:read");
    const model = getModel(token.orgId, params.slug);
    const version = model?.versions.find((v) => v.version === params.version);
    return model && version
      ? apiJson(ModelVersionOfModelSchema, { model: model.slug, ...version })
      : apiError(404, "not_found", "Model version not found");
  },

  reportIncident: async ({ request, params }) => {
    const token = requireApiToken(request, "registry:write");
    const input = await readJsonBody(request, IncidentCreateSchema);
    return created(IncidentSchema, createIncident(token.orgId, params.slug, params.version, input, token.actor));
  },

  transitionModelVersion: async ({ request, params }) => {
    const token = requireApiToken(request, "registry:write");
    const input = await readJsonBody(request, TransitionSchema);
    const result = transitionVersion(token.orgId, params.slug, params.version, input, token.actor, {
      mayPromote: token.scopes.includes("registry:promote"),
    });
    const transition = {
      model: result.model.slug,
      version: result.version.version,
      to: result.version.stage,
      reason: input.reason ?? "",
      retiredVersion: result.replaced,
      at: result.version.stageChangedAt.toISOString(),
      approvalPolicyId: result.approvalPolicyId,
    };
    // Issue #15: a promotion by an automatic policy answers 200 (it was a 409); every other transition 201.
    return result.approvalPolicyId !== null ? apiJson(StageTransitionSchema, transition) : created(StageTransitionSchema, transition);
  },

  getIncident: ({ request, params }) => {
    const token = requireApiToken(request, "registry:read");
    const incident = getIncident(token.orgId, pathId(params.id));
    return incident ? apiJson(IncidentSchema, incident) : apiError(404, "not_found", "Incident not found");
  },

  updateIncident: async ({ request, params }) => {
    const token = requireApiToken(request, "registry:write");
    const input = await readJsonBody(request, IncidentUpdateSchema);
    return apiJson(IncidentSchema, updateIncident(token.orgId, pathId(params.id), input, token.actor));
  },

  recordMonitoringSnapshot: async ({ request, params }) => {
    const token = requireApiToken(request, "registry:write");
    const input = await readJsonBody(request, MonitoringSnapshotSchema);
    return created(MonitoringSnapshotRecordSchema, recordMonitoringSnapshot(token.orgId, params.slug, params.version, input, token.actor));
  },

  getRegistryMetrics: ({ request }) => {
    const token = requireApiToken(request, "registry:read");
    const window = parseQuery(request, MetricsWindowSchema);
    const quarter = currentQuarterRange();
    const range = { from: window.from ?? quarter.from, to: window.to ?? quarter.to };
    return apiJson(RegistryMetricsSchema, cached.evidenceMetrics(token.orgId, range));
  },
} satisfies ApiHandlers;
