import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildOpenApiDocument } from "../app/modules/http/openapi";

/**
 * Lints the generated OpenAPI document with Redocly's recommended rules
 * (redocly.yaml). Warnings count: the document must be clean.
 * `npm run lint:openapi`; the unit test beside openapi.ts runs it too.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

type Problem = { ruleId: string; severity: string; message: string; location: Array<{ pointer?: string }> };

export function lintOpenApiDocument(): { problems: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), "openapi-lint-"));
  try {
    const file = path.join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(buildOpenApiDocument(), null, 2));
    const run = spawnSync(
      process.execPath,
      [path.join(root, "node_modules/@redocly/cli/bin/cli.js"), "lint", file, "--config", path.join(root, "redocly.yaml"), "--format=json"],
      { cwd: root, encoding: "utf8", env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
    );
    let report: { problems: Problem[] };
    try {
      report = JSON.parse(run.stdout) as { problems: Problem[] };
    } catch {
      return { problems: [`redocly did not answer with JSON (exit ${run.status}): ${run.stderr || run.stdout}`] };
    }
    return { problems: report.problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer ?? "?"}: ${p.message}`) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { problems } = lintOpenApiDocument();
  for (const problem of problems) console.error(problem);
  console.log(
    problems.length ? `The API document has ${problems.length} problem(s).` : "The API document is clean (Redocly recommended rules).",
  );
  process.exitCode = problems.length ? 1 : 0;
}
