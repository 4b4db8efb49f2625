/**
 * npm run org:create -- --slug <slug> --name <name> --admin-email <email> --admin-password <password>
 */
import { getDb, migrateDatabase } from "../db/client";
import { OrganizationCreateSchema } from "../app/modules/auth/auth-schemas";
import { createOrganization } from "../app/modules/auth/organizations.server";
import { SYSTEM_ACTOR } from "../app/modules/audit/audit.server";
import { DomainError } from "../app/utils/errors";
import { cliOptions, fail } from "./cli";

const { values } = cliOptions({
  slug: { type: "string" },
  name: { type: "string" },
  "admin-email": { type: "string" },
  "admin-name": { type: "string" },
  "admin-password": { type: "string" },
});

const parsed = OrganizationCreateSchema.safeParse({
  slug: values.slug,
  name: values.name,
  adminEmail: values["admin-email"],
  adminName: values["admin-name"],
  adminPassword: values["admin-password"],
});
if (!parsed.success) {
  const flag = (path: string) => "--" + path.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  fail(parsed.error.issues.map((i) => `${flag(String(i.path[0]))}: ${i.message}`).join("; "));
}

migrateDatabase(getDb());
try {
  const { org, admin } = await createOrganization(parsed.data, { ...SYSTEM_ACTOR, label: "cli:org:create" });
  console.log(`Created organisation "${org.name}" (/orgs/${org.slug}) with administrator ${admin.email}`);
} catch (error) {
  if (error instanceof DomainError) fail(error.message);
  throw error;
}
