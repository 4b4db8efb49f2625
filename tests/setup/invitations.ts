/**
 * Invitations over HTTP, as an admin and the invited person use them: the
 * admin invites an email on the member page, the answer shows the link to
 * copy, and the person sets a name and password through it. For suites that
 * need a member created through the portal's own pages.
 */
import { send } from "./api-client";

/** An invitation link as the admin's answer shows it (the path; the page prints it with the site's origin). */
export const INVITATION_LINK = /\/invitations\/[A-Za-z0-9_-]{40,}/;

/** The invitation link path in a page, if any. */
export function invitationLinkIn(html: string): string | undefined {
  return INVITATION_LINK.exec(html)?.[0];
}

/** The text of what a page says back after a form post: its status notices, alerts and field errors. */
export function visibleStatus(html: string): string {
  const found: string[] = [];
  for (const m of html.matchAll(/<(\w+)[^>]*(?:role="(?:status|alert)"|class="field-error")[^>]*>([\s\S]*?)<\/\1>/g)) {
    found.push(
      m[2]!
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    );
  }
  return found.join(" | ");
}

/**
 * `email` joins organisation `orgSlug` with `role` the way a person does: the
 * admin (`adminCookie`) invites, the person opens the link and chooses a name
 * and password. Throws unless each step answers as it should.
 */
export async function joinByInvitation(
  baseUrl: string,
  adminCookie: string,
  orgSlug: string,
  person: { email: string; name: string; password: string; role: string },
): Promise<void> {
  const invited = await send(baseUrl, `/orgs/${orgSlug}/admin?index`, {
    method: "POST",
    cookie: adminCookie,
    body: new URLSearchParams({ intent: "invite", email: person.email, role: person.role }),
  });
  const link = invitationLinkIn(invited.text);
  if (invited.status !== 200 || !link)
    throw new Error(`inviting ${person.email} failed: HTTP ${invited.status} ${visibleStatus(invited.text)}`);
  const created = await send(baseUrl, link, {
    method: "POST",
    body: new URLSearchParams({ intent: "create-account", name: person.name, password: person.password, confirmPassword: person.password }),
  });
  if (created.status !== 302) throw new Error(`joining as ${person.email} failed: HTTP ${created.status} ${visibleStatus(created.text)}`);
}
