import { count } from "drizzle-orm";
import { env } from "../app/utils/env.server";
import { getDb, migrateDatabase, type Db } from "./client";
import { organizations } from "./schema";
import { demoUsersWithDefaultPassword, seedDemoOrganization } from "./seed";

/**
 * What the server does before it listens: apply migrations, seed the demo
 * organisation into a brand-new database (unless PORTAL_SEED=none), bring the
 * query planner's statistics up to date, and warn while demo accounts still use
 * the published password.
 */
/**
 * The page queries lean on covering indexes, which SQLite picks reliably only with accurate statistics
 * (sqlite_stat1; sampled ones, `analysis_limit`, misled it into a 30× slower plan for a member's own
 * roadmap items). A database never analysed gets a full ANALYZE (about 0.1 s on the benchmark's large
 * organisation); otherwise `PRAGMA optimize` re-analyses, in full, only the tables that grew or shrank
 * tenfold since (and any never analysed), so a start stays quick and the plans follow the data.
 * Run at start and daily by the scheduler (scripts/server/jobs.ts), for a server that runs for weeks.
 */
export function refreshPlannerStatistics(db: Db = getDb()): void {
  const analysed = db.$client.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").pluck().get() === 1;
  db.$client.exec(analysed ? "PRAGMA optimize = 0x10002" : "ANALYZE");
}

export async function prepareDatabase(log: (line: string) => void = console.log): Promise<void> {
  const db = getDb();
  migrateDatabase(db);
  const isEmpty = (db.select({ n: count() }).from(organizations).get()?.n ?? 0) === 0;
  if (isEmpty && env().PORTAL_SEED !== "none") {
    await seedDemoOrganization();
    log("[portal] New database: seeded the demo organisation (slug 'demo').");
  }
  refreshPlannerStatistics(db);
  const weak = await demoUsersWithDefaultPassword();
  if (weak.length > 0) {
    console.warn(
      `[portal] WARNING: demo accounts still use the default password (${weak.join(", ")}). ` +
        "Start real deployments with PORTAL_SEED=none.",
    );
  }
}
