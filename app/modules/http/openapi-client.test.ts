import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./openapi";

/**
 * A client generated from the document is typed: openapi-typescript turns the
 * document into `paths` types, and a small pipeline client that reads answer
 * fields (list models, register a version) must type-check against them.
 */

const ROOT = path.resolve(__dirname, "../../..");
const TSC = path.join(ROOT, "node_modules/typescript/bin/tsc");

const CLIENT = `import type { components, paths } from "./api";

type ListModels = paths["/models"]["get"];
type CreateVersion = paths["/models/{slug}/versions"]["post"];
type ApiError = components["schemas"]["Error"];
type Stage = "development" | "validation" | "staging" | "production" | "retired";

const BASE = "https://portal.example/api/v1";
// The one runtime API the client needs (keeps the DOM library, and the check, small).
declare function fetch(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<{ ok: boolean; json(): Promise<unknown> }>;

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(BASE + path, {
    method,
    headers: { Authorization: "Bearer pipeline-token", "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    const failure = (await res.json()) as ApiError;
    throw new Error(failure.error.code + ": " + failure.error.issues.map((i) => i.path + " " + i.message).join("; "));
  }
  return (await res.json()) as T;
}

export async function modelsInProduction(query: NonNullable<ListModels["parameters"]["query"]>): Promise<string[]> {
  const page = await request<ListModels["responses"][200]["content"]["application/json"]>("GET", "/models?page=" + (query.page ?? 1));
  const total: number = page.total;
  return page.models
    .filter((m) => m.productionVersion !== null)
    .map((m) => m.slug + "@" + m.productionVersion + " (" + m.riskTier + ", " + m.openIncidents + " open incidents) of " + total);
}

export async function registerVersion(slug: string, body: CreateVersion["requestBody"]["content"]["application/json"]) {
  const created = await request<CreateVersion["responses"][201]["content"]["application/json"]>("POST", "/models/" + encodeURIComponent(slug) + "/versions", body);
  const stage: Stage = created.stage;
  const complete: boolean = created.lineageComplete;
  const registeredAt: string = created.createdAt;
  return { id: created.id, model: created.model, version: created.version, stage, complete, registeredAt, auc: created.metrics["auc"] };
}

void registerVersion("churn-model", { version: "1.2.0", metrics: { auc: 0.84 }, trainingData: { ref: "s3://lake/churn" } });
void modelsInProduction({ page: 1 });
`;

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    target: "ES2022",
    module: "ESNext",
    moduleResolution: "Bundler",
    lib: ["ES2022"],
    types: [],
  },
  files: ["client.ts", "api.d.ts"],
};

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Generates `api.d.ts` from `document` beside the client, and type-checks the project. */
async function typeCheckClient(document: object): Promise<{ ok: boolean; output: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "openapi-client-"));
  dirs.push(dir);
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], { silent: true });
  writeFileSync(path.join(dir, "api.d.ts"), astToString(ast));
  writeFileSync(path.join(dir, "client.ts"), CLIENT);
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(TSCONFIG));
  const run = spawnSync(process.execPath, [TSC, "-p", path.join(dir, "tsconfig.json")], { encoding: "utf8" });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

describe("a client generated with openapi-typescript", () => {
  it("type-checks a pipeline client that reads typed answer fields", async () => {
    const result = await typeCheckClient(buildOpenApiDocument());
    expect(result.output).toBe("");
    expect(result.ok).toBe(true);
  }, 120_000);

  it("fails to type-check when an operation declares no response schema", async () => {
    const document = buildOpenApiDocument() as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>;
    };
    delete document.paths["/models/{slug}/versions"]!.post!.responses["201"]!.content;
    const result = await typeCheckClient(document);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/client\.ts\(\d+,\d+\): error TS\d+: Property 'application\/json' does not exist/);
  }, 120_000);
});
