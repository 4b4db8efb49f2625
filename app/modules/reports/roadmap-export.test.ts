import { describe, expect, it } from "vitest";
import { getDb } from "../../../db/client";
import { memberships, organizations, users } from "../../../db/schema";
import { createAssessment, finalizeAssessment } from "../assessment/assessments.server";
import type { Actor } from "../audit/audit.server";
import { getFramework } from "../framework/framework";
import { generateRoadmapFromAssessment, getRoadmap, updateRoadmapItem, type RoadmapDetail } from "../roadmap/roadmaps.server";
import { roadmapCsv, roadmapExport, roadmapIcs, roadmapPdf } from "./roadmap-export.server";
import { parseCsv } from "../../../tests/setup/readers";

/**
 * The roadmap's exports (CSV, PDF, iCalendar) built from a real roadmap in the
 * per-file test database, plus a few hand-edited copies of it for escaping.
 */

const LEADER: Actor = { type: "system", label: "leader@test" };
const COMPONENT_IDS = getFramework().components.map((c) => c.id);

let counter = 0;
/** An organisation with a member and a roadmap (1 → 2) generated from a finalised level-1 assessment. */
function roadmapFixture() {
  counter++;
  const orgId = getDb()
    .insert(organizations)
    .values({ slug: `export-org-${counter}`, name: `Export org ${counter}` })
    .returning()
    .get().id;
  const email = `owner.${counter}@export.test`;
  const user = getDb()
    .insert(users)
    .values({ email, name: `Owner ${counter}`, passwordHash: "x" })
    .returning()
    .get();
  getDb().insert(memberships).values({ orgId, userId: user.id, role: "team" }).run();
  const assessment = createAssessment(orgId, { period: "2026-Q1" }, LEADER);
  finalizeAssessment(
    orgId,
    assessment.id,
    { justifications: Object.fromEntries(COMPONENT_IDS.map((id) => [id, "ok"])), acceptUnanswered: true },
    LEADER,
  );
  const roadmapId = generateRoadmapFromAssessment(orgId, assessment.id, { startDate: "2026-04-01" }, LEADER);
  return { orgId, roadmapId, email, detail: () => getRoadmap(orgId, roadmapId)! };
}

/** Unfolds iCalendar content lines (CRLF + space) and splits on CRLF. */
const unfold = (ics: string) =>
  ics
    .replace(/\r\n[ \t]/g, "")
    .split("\r\n")
    .filter((l) => l !== "");
/** The events of a calendar as maps of property name (with parameters) → value. */
function events(ics: string): Array<Map<string, string>> {
  const out: Array<Map<string, string>> = [];
  let current: Map<string, string> | null = null;
  for (const line of unfold(ics)) {
    if (line === "BEGIN:VEVENT") current = new Map();
    else if (line === "END:VEVENT") {
      out.push(current!);
      current = null;
    } else if (current) {
      const colon = line.indexOf(":");
      current.set(line.slice(0, colon), line.slice(colon + 1));
    }
  }
  return out;
}
/** Reverses RFC 5545 TEXT escaping. */
const unescapeText = (v: string) => v.replace(/\\([\\;,nN])/g, (_, c: string) => (c === "n" || c === "N" ? "\n" : c));

describe("roadmapCsv", () => {
  it("has a header and one row per item, with owner, status and evidence", () => {
    const f = roadmapFixture();
    const first = f.detail().items[0]!;
    updateRoadmapItem(f.orgId, first.id, { status: "done", ownerEmail: f.email, evidence: "Merged, see PR 7" }, LEADER);
    const detail = f.detail();
    const rows = parseCsv(roadmapCsv(detail));
    expect(rows).toHaveLength(detail.items.length + 1);
    expect(rows[0]).toEqual([
      "priority",
      "item",
      "workstream",
      "components",
      "due_date",
      "status",
      "owner",
      "team",
      "evidence",
      "completed_at",
      "catch_up",
      "key",
    ]);
    expect(rows.slice(1).map((r) => r[11])).toEqual(detail.items.map((i) => i.key));
    for (const row of rows) expect(row).toHaveLength(12);
    const row = rows.find((r) => r[11] === first.key)!;
    expect(row[0]).toBe("1");
    expect(row[1]).toBe(first.title);
    expect(row[4]).toBe(first.dueDate);
    expect(row[5]).toBe("done");
    expect(row[6]).toBe(f.email);
    expect(row[8]).toBe("Merged, see PR 7");
    expect(row[9]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(row[10]).toBe("no");
  });

  it("neutralises cells a spreadsheet would run as formulas", () => {
    const f = roadmapFixture();
    const items = f.detail().items;
    const payloads = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)"];
    payloads.forEach((evidence, i) => updateRoadmapItem(f.orgId, items[i]!.id, { evidence, team: evidence }, LEADER));
    const rows = parseCsv(roadmapCsv(f.detail()));
    payloads.forEach((payload, i) => {
      const row = rows.find((r) => r[11] === items[i]!.key)!;
      expect(row[8]).toBe(`'${payload}`);
      expect(row[7]).toBe(`'${payload}`);
    });
    // Numbers stay numbers.
    for (const row of rows.slice(1)) expect(row[0]).toMatch(/^\d+$/);
  });

  it("numbers the items 1..N in the order listed, whatever gaps their stored priorities have", () => {
    const detail = roadmapFixture().detail();
    // Regeneration leaves out work already done: the stored priorities then skip numbers.
    const gapped: RoadmapDetail = { ...detail, items: detail.items.map((item, n) => ({ ...item, priority: 2 * n + 5 })) };
    const rows = parseCsv(roadmapCsv(gapped)).slice(1);
    expect(rows.map((r) => r[0])).toEqual(detail.items.map((_, n) => String(n + 1)));
    expect(rows.map((r) => r[11])).toEqual(detail.items.map((i) => i.key));
  });
});

describe("roadmapPdf", () => {
  it("is a PDF document", async () => {
    const f = roadmapFixture();
    updateRoadmapItem(f.orgId, f.detail().items[0]!.id, { status: "done", ownerEmail: f.email, evidence: "Delivered" }, LEADER);
    const pdf = await roadmapPdf("Export org", f.detail());
    const text = Buffer.from(pdf).toString("latin1");
    expect(text.startsWith("%PDF-")).toBe(true);
    expect(text.trimEnd().endsWith("%%EOF")).toBe(true);
    expect(pdf.byteLength).toBeGreaterThan(2000);
  });
});

describe("roadmapIcs", () => {
  it("is a VCALENDAR with one all-day VEVENT per open item on its due date", () => {
    const f = roadmapFixture();
    const [a, b, c] = f.detail().items;
    updateRoadmapItem(f.orgId, a!.id, { status: "done", evidence: "Delivered" }, LEADER);
    updateRoadmapItem(f.orgId, b!.id, { status: "in_progress", ownerEmail: f.email }, LEADER);
    updateRoadmapItem(f.orgId, c!.id, { status: "blocked" }, LEADER);
    const detail = f.detail();
    const ics = roadmapIcs("export-org", "portal.test", detail, new Date("2026-03-01T12:34:56.789Z"));
    const lines = unfold(ics);
    expect(lines[0]).toBe("BEGIN:VCALENDAR");
    expect(lines).toContain("VERSION:2.0");
    expect(lines.some((l) => l.startsWith("PRODID:"))).toBe(true);
    expect(lines.at(-1)).toBe("END:VCALENDAR");

    const open = detail.items.filter((i) => i.status !== "done" && i.status !== "closed");
    expect(open).toHaveLength(detail.items.length - 1);
    const vevents = events(ics);
    expect(vevents).toHaveLength(open.length);
    expect((ics.match(/^BEGIN:VEVENT\r$/gm) ?? []).length).toBe(open.length);
    const uids = vevents.map((e) => e.get("UID"));
    expect(new Set(uids).size).toBe(uids.length);
    for (const item of open) {
      const event = vevents.find((e) => e.get("UID") === `roadmap-item-${item.id}@portal.test`)!;
      expect(event, item.key).toBeDefined();
      expect(event.get("DTSTART;VALUE=DATE")).toBe(item.dueDate.replace(/-/g, ""));
      const next = new Date(Date.parse(`${item.dueDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10).replace(/-/g, "");
      expect(event.get("DTEND;VALUE=DATE")).toBe(next);
      expect(event.get("DTSTAMP")).toBe("20260301T123456Z");
      expect(unescapeText(event.get("SUMMARY")!)).toBe(`Due: ${item.title}`);
    }
    expect(vevents.some((e) => e.get("UID") === `roadmap-item-${a!.id}@portal.test`)).toBe(false);
    const owned = vevents.find((e) => e.get("UID") === `roadmap-item-${b!.id}@portal.test`)!;
    expect(unescapeText(owned.get("DESCRIPTION")!)).toContain(`Owner: ${f.email}`);
  });

  it("ends every line with CRLF and folds lines to at most 75 octets", () => {
    const f = roadmapFixture();
    const ics = roadmapIcs("export-org", "portal.test", f.detail());
    expect(ics.endsWith("\r\n")).toBe(true);
    expect(ics.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    const physical = ics.split("\r\n").slice(0, -1);
    for (const line of physical) expect(Buffer.byteLength(line, "utf8"), line).toBeLessThanOrEqual(75);
    // Some content lines are long enough to need folding.
    expect(physical.some((l) => l.startsWith(" "))).toBe(true);
  });

  it("escapes commas, semicolons, backslashes and newlines in text", () => {
    const f = roadmapFixture();
    const detail = f.detail();
    const tricky: RoadmapDetail = {
      ...detail,
      title: "Plan; phase, one",
      items: detail.items.map((i, n) =>
        n === 0 ? { ...i, title: "Lint, test; deploy \\ then\nreview", workstream: "Ops; infra, cloud" } : i,
      ),
    };
    const ics = roadmapIcs("export-org", "portal.test", tricky);
    const lines = unfold(ics);
    expect(lines).toContain("X-WR-CALNAME:Plan\\; phase\\, one (export-org)");
    const event = events(ics).find((e) => e.get("UID") === `roadmap-item-${detail.items[0]!.id}@portal.test`)!;
    expect(event.get("SUMMARY")).toBe("Due: Lint\\, test\\; deploy \\\\ then\\nreview");
    expect(unescapeText(event.get("SUMMARY")!)).toBe("Due: Lint, test; deploy \\ then\nreview");
    expect(event.get("DESCRIPTION")).toMatch(/^Ops\\; infra\\, cloud\./);
    // No unescaped separators are left in any TEXT value.
    for (const e of events(ics)) for (const key of ["SUMMARY", "DESCRIPTION"]) expect(e.get(key)!).not.toMatch(/(^|[^\\])[,;]/);
  });

  // Regression: fold() in roadmap-export.server.ts cuts at a UTF-16 index, so it can cut
  // between the two halves of a surrogate pair (emoji); each half is then encoded
  // as U+FFFD and the character is lost. Latent today (content titles are ASCII).
  it("folds multi-byte text without splitting a character", () => {
    const f = roadmapFixture();
    const detail = f.detail();
    const title = "Überprüfung der Modelle für die Produktion — 🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀 straße ✓";
    for (let shift = 0; shift < 4; shift++) {
      const padded = `${"x".repeat(shift)}${title}`;
      const ics = roadmapIcs("export-org", "portal.test", { ...detail, items: [{ ...detail.items[0]!, title: padded }] });
      const bytes = Buffer.from(ics, "utf8");
      // Round-trips through UTF-8: no lone surrogate became U+FFFD.
      expect(bytes.toString("utf8")).toBe(ics);
      for (const line of ics.split("\r\n")) expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
      expect(unescapeText(events(ics)[0]!.get("SUMMARY")!)).toBe(`Due: ${padded}`);
    }
  });
});

describe("roadmapExport", () => {
  it("answers each format with its content type and a download name", async () => {
    const f = roadmapFixture();
    const org = { slug: "export-org", name: "Export org" };
    const csv = await roadmapExport("csv", org, f.detail(), "portal.test");
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toContain("export-org-roadmap-1-2.csv");
    expect(parseCsv(await csv.text())).toHaveLength(f.detail().items.length + 1);
    const pdf = await roadmapExport("pdf", org, f.detail(), "portal.test");
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString("latin1"),
    ).toBe("%PDF-");
    const ics = await roadmapExport("ics", org, f.detail(), "portal.test");
    expect(ics.headers.get("content-type")).toContain("text/calendar");
    expect(ics.headers.get("content-disposition")).toContain("export-org-roadmap-1-2.ics");
    expect(events(await ics.text())).toHaveLength(f.detail().items.length);
  });
});

describe("iCalendar lines stay valid whatever the roadmap holds (issue 14, #7)", () => {
  it("a start date out of range is refused before any due date is computed", () => {
    const f = roadmapFixture();
    const assessmentId = f.detail().assessmentId;
    for (const startDate of ["9999-12-31", "0000-01-01"]) {
      expect(() => generateRoadmapFromAssessment(f.orgId, assessmentId, { startDate, replacesRoadmapId: f.roadmapId }, LEADER)).toThrow(
        "Use a date from 2000 to 2100",
      );
    }
    expect(getRoadmap(f.orgId, f.roadmapId)!.status).toBe("active");
  });

  it("dates are eight digits and text carries no control characters", () => {
    const f = roadmapFixture();
    const detail = f.detail();
    const ics = roadmapIcs("export-org", "portal.test", {
      ...detail,
      title: "Plan\u0000\u0007\u001b[31m",
      items: detail.items.map((i, n) =>
        n === 0
          ? { ...i, title: "Bell\u0007 NUL\u0000 DEL\u007f C1\u0085 end", workstream: "Tab\there" }
          : n === 1
            ? { ...i, dueDate: "+010000-03-31" } // stored before start dates were bounded
            : i,
      ),
    });
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    for (const line of unfold(ics)) expect(line, JSON.stringify(line)).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/);
    const first = events(ics).find((e) => e.get("UID") === `roadmap-item-${detail.items[0]!.id}@portal.test`)!;
    expect(first.get("SUMMARY")).toBe("Due: Bell NUL DEL C1 end");
    expect(events(ics).some((e) => e.get("UID") === `roadmap-item-${detail.items[1]!.id}@portal.test`)).toBe(false);
    for (const e of events(ics)) {
      expect(e.get("DTSTART;VALUE=DATE")).toMatch(/^\d{8}$/);
      expect(e.get("DTEND;VALUE=DATE")).toMatch(/^\d{8}$/);
    }
  });
});
