import fs from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { PATCH_MARKER, PATCHES, patchSource } from "./patch-dependencies.mjs";

const require = createRequire(import.meta.url);

describe("the route-matching patches (postinstall)", () => {
  it.each(PATCHES.map((p) => [p.name, p] as const))("%s is applied to the installed package", (_name, patch) => {
    expect(fs.readFileSync(patch.file, "utf8")).toContain(PATCH_MARKER);
  });

  it("is idempotent and leaves an unknown version alone", () => {
    for (const patch of PATCHES) {
      const installed = fs.readFileSync(patch.file, "utf8");
      expect(patchSource(installed, patch.edits)).toEqual({ source: installed, status: "already patched" });
    }
    const unknown = "function somethingElse() {}";
    expect(patchSource(unknown, PATCHES[0]!.edits).source).toBe(unknown);
    expect(patchSource(unknown, PATCHES[0]!.edits).status).toMatch(/^anchor not found/);
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
    // Cached results are copied out: what a caller does to its copy never reaches the next caller.
    const first = matchRoutes(routes, "/orgs/acme/models/churn")!;
    (first[0]!.params as Record<string, string>).orgSlug = "mutated";
    first.pop();
    expect(matchRoutes(routes, "/orgs/acme/models/churn")!.map((m) => m.params.orgSlug)).toEqual(["acme", "acme", "acme"]);
    expect(matchRoutes(routes, { pathname: "/orgs/acme/models/churn", search: "?x=1" })!.at(-1)!.route.id).toBe("model");
  });
});
