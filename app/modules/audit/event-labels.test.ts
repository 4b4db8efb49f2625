import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { APPROVAL_STATUSES, BIAS_AUDIT_STATUSES } from "../governance/governance-constants";
import { entityTypeLabel, EVENT_LABELS, eventLabel, eventSummary } from "./event-labels";

const ROOT = path.resolve(__dirname, "../../..");

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Every action string the code records: literals in the modules that write audit events. */
function recordedActions(): { literal: Set<string>; templated: Set<string> } {
  const literal = new Set<string>();
  const templated = new Set<string>();
  for (const file of [
    ...sourceFiles(path.join(ROOT, "app")),
    ...sourceFiles(path.join(ROOT, "db")),
    ...sourceFiles(path.join(ROOT, "scripts")),
  ]) {
    const text = fs.readFileSync(file, "utf8");
    if (!/recordAuditEvent\(|auditCard\(/.test(text) || file.endsWith("event-labels.ts")) continue;
    for (const match of text.matchAll(/action:\s*"([a-z_]+\.[a-z_]+)"/g)) literal.add(match[1]!);
    for (const match of text.matchAll(/auditCard\([^)]*?"([a-z_]+\.[a-z_]+)"/g)) literal.add(match[1]!);
    for (const match of text.matchAll(/\?\s*"([a-z_]+\.[a-z_]+)"\s*:\s*"([a-z_]+\.[a-z_]+)"/g)) {
      literal.add(match[1]!);
      literal.add(match[2]!);
    }
    for (const match of text.matchAll(/action:\s*`([a-z_]+)\.\$\{/g)) templated.add(match[1]!);
  }
  return { literal, templated };
}

describe("event labels", () => {
  it("has a label of its own for every action the code records", () => {
    const { literal, templated } = recordedActions();
    expect(literal.size).toBeGreaterThan(30);
    const missing = [...literal].filter((action) => !(action in EVENT_LABELS));
    expect(missing).toEqual([]);
    // Actions built from a status: every status they can take is labelled.
    expect([...templated].sort()).toEqual(["approval_request", "bias_audit"]);
    for (const status of APPROVAL_STATUSES.filter((s) => s !== "open")) expect(EVENT_LABELS).toHaveProperty([`approval_request.${status}`]);
    for (const status of BIAS_AUDIT_STATUSES.filter((s) => s !== "pending")) expect(EVENT_LABELS).toHaveProperty([`bias_audit.${status}`]);
  });

  it("reads as a sentence, never as the identifier", () => {
    expect(eventLabel("roadmap_item.updated")).toBe("Roadmap item updated");
    expect(eventLabel("model_version.stage_changed")).toBe("Version moved to another stage");
    for (const label of Object.values(EVENT_LABELS)) {
      expect(label).toMatch(/^[A-Z][^._]*$/);
    }
  });

  it("turns an unknown action into words instead of showing its identifier", () => {
    expect(eventLabel("widget.colour_changed")).toBe("Widget colour changed");
    expect(entityTypeLabel("roadmap_item")).toBe("Roadmap item");
    expect(entityTypeLabel("gizmo_part")).toBe("Gizmo part");
  });
});

describe("eventSummary", () => {
  it("shows a change as before → after", () => {
    expect(eventSummary({ before: { status: "todo" }, after: { status: "done", key: "x" } })).toBe("status: todo → done");
  });

  it("names what was created and skips values that are not plain", () => {
    expect(eventSummary({ after: { name: "Churn model", tags: ["a"], riskTier: "high" } })).toBe("name: Churn model");
    expect(eventSummary({ after: { version: "1.0.0", metrics: { auc: 0.8 } } })).toBe("version: 1.0.0");
  });

  it("keeps to three facts and shortens long text", () => {
    const summary = eventSummary({ after: { name: "n", title: "t", version: "v", period: "p" } });
    expect(summary).toBe("name: n · title: t · version: v");
    expect(eventSummary({ after: { body: "x".repeat(100) } })).toHaveLength("body: ".length + 60);
  });

  it("is empty for an event without a payload", () => {
    expect(eventSummary({})).toBe("");
  });
});
