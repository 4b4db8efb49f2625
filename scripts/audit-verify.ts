/**
 * npm run audit:verify [-- --org <slug>]
 * Recomputes every organisation's audit hash chain (or one) and the site-wide
 * sign-in chain; exits 1 when any chain is broken.
 */
import { getDb, migrateDatabase } from "../db/client";
import { verifyAuditChain } from "../app/modules/audit/audit.server";
import { findOrganizationBySlug, listAllOrganizations } from "../app/modules/auth/organizations.server";
import { cliOptions, fail } from "./cli";

const { values } = cliOptions({ org: { type: "string" } });
migrateDatabase(getDb());
const orgs = values.org ? [findOrganizationBySlug(getDb(), values.org)] : listAllOrganizations();
if (values.org && !orgs[0]) fail(`No organisation with slug "${values.org}"`);

let broken = 0;
const chains: Array<{ label: string; orgId: number | null }> = orgs.map((o) => ({ label: o!.slug, orgId: o!.id }));
if (!values.org) chains.push({ label: "(site-wide sign-in events)", orgId: null });
for (const chain of chains) {
  const result = verifyAuditChain(chain.orgId);
  if (result.ok) {
    console.log(`ok      ${chain.label}: ${result.events} events`);
  } else {
    broken++;
    console.log(
      `BROKEN  ${chain.label}: first broken event #${result.firstBrokenId} (${result.reason}) after ${result.events - 1} intact events`,
    );
  }
}
process.exit(broken ? 1 : 0);
