import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireMember } from "~/modules/auth/membership.server";
import { getRoadmap } from "~/modules/roadmap/roadmaps.server";
import { roadmapExport } from "~/modules/reports/roadmap-export.server";
import { notFound } from "~/utils/http";

/** /roadmaps/:id/export/csv, …/pdf and …/ics (an iCalendar feed of due dates). */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug);
  const format = z.enum(["csv", "pdf", "ics"]).safeParse(params.format);
  const roadmap = getRoadmap(org.id, Number(params.roadmapId) || 0);
  if (!roadmap || !format.success) throw notFound("No such roadmap export");
  return roadmapExport(format.data, org, roadmap, new URL(request.url).host);
}
