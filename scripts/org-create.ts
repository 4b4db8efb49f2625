/**
 * npm run org:create -- --slug <slug> --name <name> --admin-email <email> [--admin-name <name>] [--admin-password <password>]
 *
 * The administrator is invited: the command prints the invitation link (the
 * same answer whether or not an account exists for the email). With
 * --admin-password, an email that has no account yet gets one with that
 * password instead, as the administrator: how an operator starts an empty
 * installation. An existing account is never made a member without accepting.
 */
import { getDb, migrateDatabase } from "../db/client";
import { OrganizationCreateCommandSchema } from "../app/modules/auth/auth-schemas";
import { createOrganizationForCommand, INVITATION_LIFETIME_DAYS, invitationPath } from "../app/modules/auth/invitations.server";
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

const parsed = OrganizationCreateCommandSchema.safeParse({
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
  const created = await createOrganizationForCommand(parsed.data, { ...SYSTEM_ACTOR, label: "cli:org:create" });
  const { org } = created;
  if ("admin" in created) {
    console.log(`Created organisation "${org.name}" (/orgs/${org.slug}) with administrator ${created.admin.email}`);
  } else {
    const { invitation } = created;
    console.log(
      [
        `Created organisation "${org.name}" (/orgs/${org.slug}). Its administrator joins by accepting the invitation for ${invitation.email}.`,
        `Send them this link, after the portal's address (it works once, for ${INVITATION_LIFETIME_DAYS} days):`,
        `  ${invitationPath(invitation.token)}`,
        "If they already have an account, they can also accept after signing in, under Invitations.",
      ].join("\n"),
    );
    if (parsed.data.adminPassword !== undefined) {
      // Said only when a password was given: the operator, who holds the database, learns nothing new.
      console.log("--admin-password was not used: it only sets up a new account, and this email already has one.");
    }
  }
} catch (error) {
  if (error instanceof DomainError) fail(error.message);
  throw error;
}
