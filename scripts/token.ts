/**
 * npm run token -- --org <slug> --name <name> --scopes <comma list>
 * Prints the new token alone on the last line (it is shown only once).
 */
import { getDb, migrateDatabase } from "../db/client";
import { ApiTokenCreateSchema } from "../app/modules/auth/auth-schemas";
import { createApiToken } from "../app/modules/auth/api-tokens.server";
import { findOrganizationBySlug } from "../app/modules/auth/organizations.server";
import { SYSTEM_ACTOR } from "../app/modules/audit/audit.server";
import { cliOptions, fail } from "./cli";

const { values } = cliOptions({
  org: { type: "string" },
  name: { type: "string" },
  scopes: { type: "string" },
});
if (!values.org) fail("--org <slug> is required");
const parsed = ApiTokenCreateSchema.safeParse({ name: values.name, scopes: values.scopes });
if (!parsed.success) {
  fail(parsed.error.issues.map((i) => `--${String(i.path[0] ?? "scopes")}: ${i.message}`).join("; "));
}

const db = getDb();
migrateDatabase(db);
const org = findOrganizationBySlug(db, values.org);
if (!org) fail(`No organisation with slug "${values.org}"`);
const created = createApiToken(org.id, parsed.data, { ...SYSTEM_ACTOR, label: "cli:token" });
console.log(
  `Created token "${created.name}" for ${org.slug} with scopes ${created.scopes.join(", ")}. Store it now; it is not shown again.`,
);
console.log(created.token);
