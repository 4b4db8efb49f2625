import { describe, expect, it } from "vitest";
import { apiRouter, type ApiHandlers } from "./api-router.server";
import { API_ENDPOINTS } from "./openapi";

/** A handler per endpoint that answers with its operationId and the path parameters it was given. */
const echoHandlers = (): ApiHandlers =>
  Object.fromEntries(API_ENDPOINTS.map((e) => [e.operationId, ({ params }) => Response.json({ operationId: e.operationId, params })]));

const call = async (method: string, path: string) => {
  const response = await apiRouter(echoHandlers())(new Request(`http://portal.test${path}`, { method }));
  return { status: response.status, allow: response.headers.get("allow"), body: await response.json() };
};

describe("the API router", () => {
  it("refuses to start when an endpoint has no handler or a handler no endpoint", () => {
    const { listModels: _listModels, ...withoutOne } = echoHandlers();
    expect(() => apiRouter(withoutOne)).toThrow(/missing listModels; unknown none/);
    expect(() => apiRouter({ ...echoHandlers(), listWidgets: () => new Response() })).toThrow(/missing none; unknown listWidgets/);
  });

  it("hands each documented method and path to its endpoint's handler, with decoded path parameters", async () => {
    expect((await call("GET", "/api/v1/models")).body.operationId).toBe("listModels");
    expect((await call("POST", "/api/v1/models")).body.operationId).toBe("createModel");
    const version = await call("POST", "/api/v1/models/credit%20risk/versions/1.2.0/monitoring");
    expect(version.body).toEqual({ operationId: "recordMonitoringSnapshot", params: { slug: "credit risk", version: "1.2.0", id: "" } });
    expect((await call("PATCH", "/api/v1/roadmap-items/42")).body).toEqual({
      operationId: "updateRoadmapItem",
      params: { slug: "", version: "", id: "42" },
    });
    expect((await call("GET", "/api/v1/assessments/7/")).body.operationId).toBe("getAssessment");
  });

  it("serves HEAD as GET", async () => {
    const response = await apiRouter(echoHandlers())(new Request("http://portal.test/api/v1/metrics", { method: "HEAD" }));
    expect(response.status).toBe(200);
  });

  it("answers 405 with the path's methods in Allow, and 404 for a path it does not know", async () => {
    expect(await call("DELETE", "/api/v1/incidents/3")).toMatchObject({ status: 405, allow: "GET, PATCH" });
    expect(await call("GET", "/api/v1/assessments/3/finalize")).toMatchObject({ status: 405, allow: "POST" });
    expect(await call("GET", "/api/v1/widgets")).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect(await call("GET", "/api/v1/models/a/b")).toMatchObject({ status: 404 });
  });
});
