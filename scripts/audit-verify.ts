/**
 * npm run audit:verify [-- --org <slug>] [--checkpoint <file>]
 * Recomputes every organisation's audit hash chain (or one) and the site-wide
 * sign-in chain, and compares each with its signed checkpoints: those stored
 * in the database and those in a file given with --checkpoint (a copy that
 * left the building: from `npm run audit:checkpoint`, a board report or an
 * audit export). Exits 1 when any chain is broken or disagrees with one.
 */
import fs from "node:fs";
import { getDb, migrateDatabase } from "../db/client";
import { parseCheckpointFile, type Checkpoint } from "../app/modules/audit/checkpoint";
import { verifyAuditTrail } from "../app/modules/audit/checkpoints.server";
import { findOrganizationBySlug, listAllOrganizations } from "../app/modules/auth/organizations.server";
import { cliOptions, fail } from "./cli";

const { values } = cliOptions({ org: { type: "string" }, checkpoint: { type: "string" } });
let given: Checkpoint[] = [];
if (values.checkpoint) {
  if (!fs.existsSync(values.checkpoint)) fail(`No file at ${values.checkpoint}`);
  try {
    given = parseCheckpointFile(fs.readFileSync(values.checkpoint, "utf8"));
  } catch (error) {
    fail(`${values.checkpoint} is not a checkpoint file (${(error as Error).message.split("\n")[0]})`);
  }
}
migrateDatabase(getDb());
const orgs = values.org ? [findOrganizationBySlug(getDb(), values.org)] : listAllOrganizations();
if (values.org && !orgs[0]) fail(`No organisation with slug "${values.org}"`);

let broken = 0;
const chains: Array<{ label: string; orgId: number | null }> = orgs.map((o) => ({ label: o!.slug, orgId: o!.id }));
if (!values.org) chains.push({ label: "(site-wide sign-in events)", orgId: null });
const unmatched = given.filter((c) => !chains.some((chain) => chain.orgId === c.orgId));
if (unmatched.length) fail(`The given checkpoint names a chain not checked here (organisation id ${unmatched[0]!.orgId ?? "site"})`);
for (const chain of chains) {
  const result = verifyAuditTrail(chain.orgId, given);
  const agree = result.checkpoints ? `, ${result.checkpoints} checkpoint${result.checkpoints === 1 ? "" : "s"} agree` : "";
  for (const rollback of result.rollbacks)
    console.log(
      `note    ${chain.label}: restored from a backup at sequence ${rollback.restoredFromSeq} (event ${rollback.seq}, ${rollback.at})`,
    );
  if (result.ok) {
    console.log(`ok      ${chain.label}: ${result.events} events${agree}`);
    continue;
  }
  broken++;
  console.log(
    result.brokenBy === "checkpoint"
      ? `BROKEN  ${chain.label}: sequence ${result.firstBrokenSeq} disagrees: ${result.reason}`
      : `BROKEN  ${chain.label}: first broken event #${result.firstBrokenId} (${result.reason}) after ${result.events - 1} intact events`,
  );
}
process.exit(broken ? 1 : 0);
