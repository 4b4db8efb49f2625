import { checkDatabase } from "~/modules/http/health.server";

export function loader() {
  const db = checkDatabase();
  return Response.json(
    { status: db ? "ok" : "error", db: db ? "ok" : "unreachable" },
    { status: db ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
