/**
 * npm run audit:checkpoint [-- --org <slug>]
 * Signs a checkpoint of every audit chain (or one organisation's) now and
 * prints it as JSON: keep the output somewhere the server cannot write (it is
 * the outside copy `npm run audit:verify -- --checkpoint <file>` compares with).
 */
import { getDb, migrateDatabase, writeTransaction } from "../db/client";
import { allChains, writeCheckpoint, type StoredCheckpoint } from "../app/modules/audit/checkpoints.server";
import { findOrganizationBySlug } from "../app/modules/auth/organizations.server";
import { cliOptions, fail } from "./cli";

const { values } = cliOptions({ org: { type: "string" } });
migrateDatabase(getDb());
const org = values.org ? findOrganizationBySlug(getDb(), values.org) : undefined;
if (values.org && !org) fail(`No organisation with slug "${values.org}"`);
const chains = org ? [org.id] : allChains();
const checkpoints = writeTransaction("bookkeeping", (tx) =>
  chains.map((orgId) => writeCheckpoint(tx, orgId, "manual")).filter((c): c is StoredCheckpoint => c !== null),
);
if (org && checkpoints.length === 0) fail(`The audit trail of "${org.slug}" has no events yet`);
console.log(JSON.stringify(org ? checkpoints[0] : { checkpoints }, null, 2));
