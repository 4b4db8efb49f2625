import type { ActionFunctionArgs } from "@remix-run/node";
import { apiRoute, created, methodNotAllowed, readJsonBody, requireApiToken } from "~/modules/http/api.server";
import { transitionVersion } from "~/modules/governance/transitions.server";
import { StageTransitionSchema } from "~/modules/registry/registry-response-schemas";
import { TransitionSchema } from "~/modules/registry/registry-schemas";

export const loader = () => apiRoute(() => methodNotAllowed(["POST"]));

export const action = ({ request, params }: ActionFunctionArgs) =>
  apiRoute(async () => {
    if (request.method !== "POST") return methodNotAllowed(["POST"]);
    const token = requireApiToken(request, "registry:write");
    const input = await readJsonBody(request, TransitionSchema);
    const result = transitionVersion(token.orgId, params.slug ?? "", params.version ?? "", input, token.actor, {
      mayPromote: token.scopes.includes("registry:promote"),
    });
    return created(StageTransitionSchema, {
      model: result.model.slug,
      version: result.version.version,
      to: result.version.stage,
      reason: input.reason ?? "",
      retiredVersion: result.replaced,
      at: result.version.stageChangedAt.toISOString(),
    });
  });
