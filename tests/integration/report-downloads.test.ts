/**
 * The PDF routes of the real production server: each answers a PDF whose file
 * name says what it is (organisation and period, model and version, roadmap),
 * that passes the layout checks, and the page linking to it opens it in a new
 * tab so the portal page stays.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pdfLayoutProblems } from "../setup/readers";
import { acquirePortalBuild, killAllPortals } from "../setup/portal-server";
import { send } from "../setup/api-client";
import { startHostileEnv, type HostileEnv } from "./hostile-fixtures";

let env: HostileEnv;
let releaseBuild = () => {};

beforeAll(async () => {
  const build = acquirePortalBuild();
  releaseBuild = build.release;
  env = await startHostileEnv(build.buildDir, "portal-report-downloads-");
}, 240_000);

afterAll(async () => {
  await env?.stop();
  killAllPortals();
  releaseBuild();
});

type Row = Record<string, string | number>;
const one = (sql: string) => env.db.prepare(sql).get(env.orgId) as Row;

async function pdfAt(pdfPath: string) {
  const reply = await fetch(`${env.server.baseUrl}${pdfPath}`, { headers: { cookie: env.cookies.leadership } });
  expect(reply.status, pdfPath).toBe(200);
  expect(reply.headers.get("content-type")).toBe("application/pdf");
  const bytes = new Uint8Array(await reply.arrayBuffer());
  expect(pdfLayoutProblems(bytes), pdfPath).toEqual([]);
  return { disposition: reply.headers.get("content-disposition") ?? "", bytes };
}

/** The page at `pagePath` links to `pdfPath` with target="_blank". */
async function expectLinkOpensNewTab(pagePath: string, pdfPath: string) {
  const page = await send(env.server.baseUrl, pagePath, { headers: { cookie: env.cookies.leadership } });
  expect(page.status, pagePath).toBe(200);
  const link = page.text.match(new RegExp(`<a [^>]*href="${pdfPath.replace(/[.$]/g, "\\$&")}"[^>]*>`))?.[0];
  expect(link, `a link to ${pdfPath} on ${pagePath}`).toBeDefined();
  expect(link).toContain('target="_blank"');
}

describe("PDF downloads", () => {
  it("the board report is named after the organisation and the quarter", async () => {
    const a = one("select id, period from assessments where org_id = ? and status = 'finalized' order by period desc limit 1");
    const pdfPath = `/orgs/demo/assessments/${a.id}.pdf`;
    const { disposition } = await pdfAt(pdfPath);
    expect(disposition).toContain(`inline; filename="Demo Analytics Ltd board report ${a.period}.pdf"`);
    expect(disposition).toContain(`filename*=UTF-8''Demo%20Analytics%20Ltd%20board%20report%20${a.period}.pdf`);
    await expectLinkOpensNewTab(`/orgs/demo/assessments/${a.id}`, pdfPath);
  });

  it("the model card is named after the model and version, accents kept in filename*", async () => {
    const v = one(
      "select m.slug, m.name, v.version from model_cards c join model_versions v on v.id = c.version_id join models m on m.id = v.model_id where c.org_id = ? and m.slug = 'resume-screener' limit 1",
    );
    const pdfPath = `/orgs/demo/models/${v.slug}/versions/${v.version}/card.pdf`;
    const { disposition } = await pdfAt(pdfPath);
    expect(disposition).toContain(`filename="Resume Screener ${v.version} model card.pdf"`);
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent(`${v.name} ${v.version} model card.pdf`)}`);
    await expectLinkOpensNewTab(`/orgs/demo/models/${v.slug}/versions/${v.version}/card`, pdfPath);
  });

  it("the bias audit and the roadmap say what they are", async () => {
    const audit = one(
      "select b.id, m.name, v.version from bias_audits b join models m on m.id = b.model_id join model_versions v on v.id = b.version_id where b.org_id = ? limit 1",
    );
    const auditPdf = `/orgs/demo/bias-audits/${audit.id}.pdf`;
    expect((await pdfAt(auditPdf)).disposition).toContain(`filename="${audit.name} ${audit.version} bias audit ${audit.id}.pdf"`);
    await expectLinkOpensNewTab(`/orgs/demo/bias-audits/${audit.id}`, auditPdf);

    const roadmap = one("select id, title, from_level, to_level from roadmaps where org_id = ? order by id desc limit 1");
    const roadmapPdf = `/orgs/demo/roadmaps/${roadmap.id}/export/pdf`;
    expect((await pdfAt(roadmapPdf)).disposition).toContain(
      `filename="Demo Analytics Ltd roadmap level ${roadmap.from_level} to ${roadmap.to_level} - ${roadmap.title}.pdf"`,
    );
    await expectLinkOpensNewTab(`/orgs/demo/roadmaps/${roadmap.id}`, roadmapPdf);
  });
});
