import { count } from "drizzle-orm";
import { env } from "../app/utils/env.server";
import { getDb, migrateDatabase } from "./client";
import { organizations } from "./schema";
import { demoUsersWithDefaultPassword, seedDemoOrganization } from "./seed";

/**
 * What the server does before it listens: apply migrations, seed the demo
 * organisation into a brand-new database (unless PORTAL_SEED=none), refresh the
 * query planner's statistics, and warn while demo accounts still use the
 * published password.
 */
export async function prepareDatabase(log: (line: string) => void = console.log): Promise<void> {
  const db = getDb();
  migrateDatabase(db);
  const isEmpty = (db.select({ n: count() }).from(organizations).get()?.n ?? 0) === 0;
  if (isEmpty && env().PORTAL_SEED !== "none") {
    await seedDemoOrganization();
    log("[portal] New database: seeded the demo organisation (slug 'demo').");
  }
  // The page queries lean on covering indexes; SQLite picks them reliably only with statistics
  // (sqlite_stat1). A bounded ANALYZE (a sample of each index) at every start keeps them current as the
  // data grows: about 10 ms on the benchmark's large organisation.
  db.$client.exec("PRAGMA analysis_limit = 1000; ANALYZE;");
  const weak = await demoUsersWithDefaultPassword();
  if (weak.length > 0) {
    console.warn(
      `[portal] WARNING: demo accounts still use the default password (${weak.join(", ")}). ` +
        "Start real deployments with PORTAL_SEED=none.",
    );
  }
}
