import fs from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { PATCH_MARKER, ROUTER_FILE, patchRouterSource } from "./patch-dependencies.mjs";

const require = createRequire(import.meta.url);

describe("the route-matching patch (postinstall)", () => {
  it("is applied to the installed @remix-run/router", () => {
    expect(fs.readFileSync(ROUTER_FILE, "utf8")).toContain(PATCH_MARKER);
  });

  it("is idempotent and leaves an unknown router version alone", () => {
    const installed = fs.readFileSync(ROUTER_FILE, "utf8");
    expect(patchRouterSource(installed)).toEqual({ source: installed, status: "already patched" });
    const unknown = "function somethingElse() {}";
    expect(patchRouterSource(unknown).source).toBe(unknown);
    expect(patchRouterSource(unknown).status).toMatch(/^anchor not found/);
  });

  it("matches exactly as before, call after call, including params and splats", () => {
    const { matchRoutes, matchPath } = require("@remix-run/router") as typeof import("@remix-run/router");
    const routes = [
      {
        id: "root",
        path: "",
        children: [
          { id: "org", path: "orgs/:orgSlug", children: [{ id: "model", path: "models/:modelSlug" }, { id: "models", path: "models", index: true }] },
          { id: "csv", path: "orgs/:orgSlug/audit.csv" },
          { id: "splat", path: "*" },
        ],
      },
    ];
    for (let i = 0; i < 3; i++) {
      expect(matchRoutes(routes, "/orgs/acme/models/churn")?.map((m) => [m.route.id, m.params])).toEqual([
        ["root", { orgSlug: "acme", modelSlug: "churn" }],
        ["org", { orgSlug: "acme", modelSlug: "churn" }],
        ["model", { orgSlug: "acme", modelSlug: "churn" }],
      ]);
      expect(matchRoutes(routes, "/orgs/acme/audit.csv")?.at(-1)?.route.id).toBe("csv");
      expect(matchRoutes(routes, "/nowhere/else")?.at(-1)?.params).toEqual({ "*": "nowhere/else" });
      expect(matchPath({ path: "/orgs/:orgSlug", caseSensitive: true }, "/ORGS/x")).toBeNull();
      expect(matchPath("/orgs/:orgSlug", "/ORGS/x")?.params).toEqual({ orgSlug: "x" });
    }
  });
});
