import { and, desc, eq, inArray } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getDb, reusableQuery, writeTransaction, type DbOrTx } from "../../../db/client";
import { memberships, oidcProviders, orgDomains, organizations, users } from "../../../db/schema";
import { env, type OidcSettings } from "../../utils/env.server";
import { conflict, DomainError, invalid } from "../../utils/errors";
import { openSecret, sealSecret } from "../../utils/keys.server";
import { refusedAddressIn } from "../../utils/public-address.server";
import { recordAuditEvent, type Actor } from "../audit/audit.server";
import { organisationProviderFetch } from "./oidc-strategy.server";
import type { OidcProviderInput } from "./org-sso-schemas";
import type { DomainClaimStatus } from "./auth-constants";
import type { Role } from "./roles";
import type { SsoPolicy } from "./sso-policy";
import { emailDomain, isSsoEmail } from "./single-sign-on";

/**
 * Organisations' own OpenID Connect providers (issue #17, docs/decisions/0009):
 * configured by the organisation's admins, the client secret sealed with the
 * secrets key; they sign in only people of email domains the organisation
 * claimed and a site administrator approved (one approved claim per domain).
 * The site-wide provider of the OIDC_* variables is the provider "env"; both
 * go through the same strategy and `completeSsoSignIn`.
 */

type UserActor = Actor & { type: "user"; id: number };

/* ---------------------------------------------------------------- the provider */

/** The stored client secret, or null when it can no longer be unsealed (the secrets key changed, or it was altered). */
function unsealedSecret(sealed: string): string | null {
  try {
    return openSecret(sealed);
  } catch {
    return null;
  }
}

/**
 * The organisation's provider as its page shows it: never the secret, only whether one is stored and whether
 * the portal can still read it.
 */
export function findOrgProvider(orgId: number) {
  const row = getDb().select().from(oidcProviders).where(eq(oidcProviders.orgId, orgId)).get();
  if (!row) return null;
  const { sealedClientSecret, roleMap, ...rest } = row;
  return {
    ...rest,
    hasSecret: sealedClientSecret !== "",
    secretReadable: unsealedSecret(sealedClientSecret) !== null,
    roleMap: JSON.parse(roleMap) as Record<string, Role>,
  };
}

/** The organisation's active administrators: who may be the break-glass account. */
export function adminMembers(orgId: number, db: DbOrTx = getDb()) {
  return db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "admin"), eq(users.active, true)))
    .orderBy(users.name)
    .all();
}

/**
 * Saves the organisation's provider (created on the first save, which needs
 * the client secret; a blank secret later keeps the stored one, unless it can
 * no longer be read and the provider is to be on). Audited without the
 * secret: only whether it changed.
 */
export function saveOrgProvider(orgId: number, input: OidcProviderInput, actor: UserActor) {
  return writeTransaction({ orgId }, (tx) => {
    const current = tx.select().from(oidcProviders).where(eq(oidcProviders.orgId, orgId)).get();
    if (!current && !input.clientSecret) throw invalid("Enter the client secret the provider gave this portal", "clientSecret");
    if (current && !input.clientSecret && input.enabled && unsealedSecret(current.sealedClientSecret) === null) {
      throw invalid(
        "The stored client secret cannot be read any more: enter the client secret the provider gave this portal",
        "clientSecret",
      );
    }
    if (input.breakGlassUserId !== null && !adminMembers(orgId, tx).some((admin) => admin.id === input.breakGlassUserId)) {
      throw invalid("Choose one of this organisation's active administrators", "breakGlassUserId");
    }
    const values = {
      issuer: input.issuer,
      clientId: input.clientId,
      groupsClaim: input.groupsClaim,
      roleMap: JSON.stringify(input.roleMap),
      defaultRole: input.defaultRole,
      createUsers: input.createUsers,
      required: input.required,
      breakGlassUserId: input.breakGlassUserId,
      enabled: input.enabled,
      updatedAt: new Date(),
      updatedByLabel: actor.label,
    };
    const sealed = input.clientSecret ? { sealedClientSecret: sealSecret(input.clientSecret) } : {};
    const before = current ? auditView(current) : null;
    const saved = current
      ? tx
          .update(oidcProviders)
          .set({ ...values, ...sealed })
          .where(eq(oidcProviders.id, current.id))
          .returning()
          .get()
      : tx
          .insert(oidcProviders)
          .values({ orgId, ...values, sealedClientSecret: sealed.sealedClientSecret! })
          .returning()
          .get();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "sso.provider_updated",
      entityType: "oidc_provider",
      entityId: saved.id,
      before,
      after: auditView(saved),
      details: { secretChanged: Boolean(input.clientSecret) },
    });
    return saved;
  });
}

function auditView(row: typeof oidcProviders.$inferSelect) {
  return {
    issuer: row.issuer,
    clientId: row.clientId,
    groupsClaim: row.groupsClaim,
    roleMap: JSON.parse(row.roleMap) as unknown,
    defaultRole: row.defaultRole,
    createUsers: row.createUsers,
    required: row.required,
    breakGlassUserId: row.breakGlassUserId,
    enabled: row.enabled,
  };
}

export type DiscoveryResult =
  | { ok: true; issuer: string; authorizationEndpoint: string; tokenEndpoint: string; jwksUri: string; endSession: boolean }
  | { ok: false; message: string };

/**
 * Fetches the issuer's discovery document (`/.well-known/openid-configuration`) and says what it holds. As
 * sign-in does, it reaches only public addresses (unless OIDC_ALLOW_PRIVATE) and follows no redirect: an
 * organisation's admin cannot make the portal probe its own network.
 */
export async function checkDiscovery(issuer: string): Promise<DiscoveryResult> {
  const base = issuer.replace(/\/+$/, "");
  if (!base.startsWith("https://") && !(env().OIDC_ALLOW_HTTP && base.startsWith("http://"))) {
    return { ok: false, message: "The issuer URL must start with https://" };
  }
  let document: Record<string, unknown>;
  try {
    const response = await organisationProviderFetch(`${base}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(5_000),
      headers: { accept: "application/json" },
    });
    if (response.status >= 300 && response.status < 400) {
      return { ok: false, message: `The provider answered with a redirect (${response.status}): enter the issuer URL it redirects to.` };
    }
    if (!response.ok) return { ok: false, message: `The provider answered ${response.status} for its discovery document.` };
    document = (await response.json()) as Record<string, unknown>;
  } catch (error) {
    const refused = refusedAddressIn(error);
    if (refused) {
      return {
        ok: false,
        message: `The issuer's address is not public (${refused.reason}): the portal connects only to providers on the public internet.`,
      };
    }
    const reason = error instanceof Error && error.name === "TimeoutError" ? "no answer within 5 seconds" : "no answer, or not JSON";
    return { ok: false, message: `The discovery document could not be read (${reason}).` };
  }
  const text = (name: string) => (typeof document[name] === "string" ? (document[name] as string) : "");
  if (text("issuer").replace(/\/+$/, "") !== base) {
    return {
      ok: false,
      message: `The document names another issuer (${text("issuer") || "none"}): enter exactly the issuer it names.`,
    };
  }
  if (!text("authorization_endpoint") || !text("token_endpoint") || !text("jwks_uri")) {
    return { ok: false, message: "The document lacks an authorization, token or JWKS endpoint: is this an OpenID Connect provider?" };
  }
  return {
    ok: true,
    issuer: text("issuer"),
    authorizationEndpoint: text("authorization_endpoint"),
    tokenEndpoint: text("token_endpoint"),
    jwksUri: text("jwks_uri"),
    endSession: Boolean(text("end_session_endpoint")),
  };
}

/* ---------------------------------------------------------------- domain claims */

export function listDomainClaims(orgId: number) {
  return getDb()
    .select({ id: orgDomains.id, domain: orgDomains.domain, status: orgDomains.status, requestedAt: orgDomains.requestedAt })
    .from(orgDomains)
    .where(eq(orgDomains.orgId, orgId))
    .orderBy(orgDomains.domain)
    .all();
}

/** The organisation claims a domain: pending until a site administrator approves it. */
export function claimDomain(orgId: number, domain: string, actor: UserActor) {
  return writeTransaction({ orgId }, (tx) => {
    const open = tx
      .select({ status: orgDomains.status })
      .from(orgDomains)
      .where(and(eq(orgDomains.orgId, orgId), eq(orgDomains.domain, domain), inArray(orgDomains.status, ["pending", "approved"])))
      .get();
    if (open) throw conflict(`This organisation's claim to ${domain} is ${open.status} already`, "domain");
    const claim = tx.insert(orgDomains).values({ orgId, domain, requestedById: actor.id }).returning().get();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "sso.domain_claimed",
      entityType: "org_domain",
      entityId: claim.id,
      after: { domain, status: "pending" },
    });
    return claim;
  });
}

/** The organisation withdraws a claim (an approved one too: its people then sign in with their password). */
export function withdrawDomainClaim(orgId: number, claimId: number, actor: UserActor) {
  return writeTransaction({ orgId, site: true }, (tx) => {
    const claim = tx
      .select()
      .from(orgDomains)
      .where(and(eq(orgDomains.id, claimId), eq(orgDomains.orgId, orgId)))
      .get();
    if (!claim) throw new DomainError("not_found", "That domain claim does not exist (withdrawn already?)", "claimId");
    tx.delete(orgDomains).where(eq(orgDomains.id, claim.id)).run();
    recordAuditEvent(tx, {
      orgId,
      actor,
      action: "sso.domain_withdrawn",
      entityType: "org_domain",
      entityId: claim.id,
      before: { domain: claim.domain, status: claim.status },
    });
    return claim;
  });
}

const requester = alias(users, "requester");

/** Every claim for the site administrators: pending ones first, then the decided, newest first. */
export function listAllDomainClaims() {
  return getDb()
    .select({
      id: orgDomains.id,
      domain: orgDomains.domain,
      status: orgDomains.status,
      requestedAt: orgDomains.requestedAt,
      decidedAt: orgDomains.decidedAt,
      orgName: organizations.name,
      orgSlug: organizations.slug,
      requestedBy: requester.email,
    })
    .from(orgDomains)
    .innerJoin(organizations, eq(organizations.id, orgDomains.orgId))
    .innerJoin(requester, eq(requester.id, orgDomains.requestedById))
    .orderBy(desc(eq(orgDomains.status, "pending")), desc(orgDomains.requestedAt))
    .all();
}

/** A site administrator's change of a claim's status, from the one it must have, audited in the site's chain. */
type ClaimChange = {
  from: DomainClaimStatus;
  to: DomainClaimStatus;
  action: string;
  /** Why a claim not in `from` is refused. */
  notFrom: string;
  /** A further refusal, checked in the transaction. */
  check?: (tx: DbOrTx, claim: typeof orgDomains.$inferSelect) => void;
};

function changeClaimStatus(claimId: number, change: ClaimChange, actor: UserActor) {
  const claim = getDb().select().from(orgDomains).where(eq(orgDomains.id, claimId)).get();
  if (!claim) throw new DomainError("not_found", "That domain claim does not exist (withdrawn?)", "claimId");
  return writeTransaction({ orgId: claim.orgId, site: true }, (tx) => {
    const current = tx.select().from(orgDomains).where(eq(orgDomains.id, claimId)).get();
    if (current?.status !== change.from) throw conflict(change.notFrom, "claimId");
    change.check?.(tx, current);
    tx.update(orgDomains).set({ status: change.to, decidedById: actor.id, decidedAt: new Date() }).where(eq(orgDomains.id, claimId)).run();
    recordAuditEvent(tx, {
      orgId: null,
      actor,
      action: change.action,
      entityType: "org_domain",
      entityId: claimId,
      before: { status: change.from },
      after: { status: change.to },
      details: { domain: current.domain, orgId: current.orgId },
    });
    return current;
  });
}

/** Refuses approving a domain another organisation holds approved: one organisation per domain. */
function checkDomainFree(tx: DbOrTx, claim: typeof orgDomains.$inferSelect) {
  const holder = tx
    .select({ orgName: organizations.name })
    .from(orgDomains)
    .innerJoin(organizations, eq(organizations.id, orgDomains.orgId))
    .where(and(eq(orgDomains.domain, claim.domain), eq(orgDomains.status, "approved")))
    .get();
  if (holder) {
    throw conflict(
      `${claim.domain} is approved for "${holder.orgName}" already: one organisation per domain. Reject this claim, or ask them to withdraw theirs first.`,
      "claimId",
    );
  }
}

/**
 * A site administrator approves or rejects a pending claim. Approving a domain
 * another organisation holds approved is refused: one organisation per domain.
 * Audited in the site's chain.
 */
export function decideDomainClaim(claimId: number, decision: "approved" | "rejected", actor: UserActor) {
  return changeClaimStatus(
    claimId,
    {
      from: "pending",
      to: decision,
      action: decision === "approved" ? "sso.domain_approved" : "sso.domain_rejected",
      notFrom: "This claim was decided or withdrawn already",
      check: decision === "approved" ? checkDomainFree : undefined,
    },
    actor,
  );
}

/**
 * A site administrator revokes an approved claim: the domain's people sign in
 * with their password again (sessions that came through the provider run to
 * their idle end), and the organisation may claim the domain again. Audited in
 * the site's chain, naming the organisation.
 */
export function revokeDomainClaim(claimId: number, actor: UserActor) {
  return changeClaimStatus(
    claimId,
    {
      from: "approved",
      to: "revoked",
      action: "sso.domain_revoked",
      notFrom: "This claim is not approved (any more): there is nothing to revoke",
    },
    actor,
  );
}

/* ---------------------------------------------------------------- sign-in */

function approvedDomainsOf(db: DbOrTx, orgId: number): string[] {
  return db
    .select({ domain: orgDomains.domain })
    .from(orgDomains)
    .where(and(eq(orgDomains.orgId, orgId), eq(orgDomains.status, "approved")))
    .all()
    .map((row) => row.domain);
}

function breakGlassEmailOf(db: DbOrTx, userId: number | null): string | null {
  if (userId === null) return null;
  return db.select({ email: users.email }).from(users).where(eq(users.id, userId)).get()?.email ?? null;
}

/** An organisation's enabled provider as the strategy and `completeSsoSignIn` use it (null without PUBLIC_URL). */
function settingsOf(db: DbOrTx, row: typeof oidcProviders.$inferSelect): OidcSettings | null {
  const publicUrl = env().PUBLIC_URL;
  const org = db.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, row.orgId)).get();
  if (!publicUrl || !org || !row.enabled) return null;
  return {
    id: String(row.id),
    issuer: row.issuer,
    clientId: row.clientId,
    // Unreadable: sign-in through it says its admins must enter the secret again (never a 500).
    clientSecret: unsealedSecret(row.sealedClientSecret),
    orgSlug: org.slug,
    groupsClaim: row.groupsClaim,
    emailVerifiedClaim: "email_verified",
    roleMap: JSON.parse(row.roleMap) as Record<string, Role>,
    defaultRole: row.defaultRole,
    domains: approvedDomainsOf(db, row.orgId),
    createUsers: row.createUsers,
    required: row.required,
    breakGlassEmail: breakGlassEmailOf(db, row.breakGlassUserId),
    allowHttp: env().OIDC_ALLOW_HTTP,
    redirectUri: `${publicUrl}/auth/oidc/callback`,
  };
}

/** A provider by its id ("env" or an organisation's provider's id), while it is enabled. */
export function providerSettingsById(id: string): OidcSettings | null {
  if (id === "env") return env().OIDC;
  if (!/^[1-9]\d{0,9}$/.test(id)) return null;
  const db = getDb();
  const row = db
    .select()
    .from(oidcProviders)
    .where(eq(oidcProviders.id, Number(id)))
    .get();
  return row ? settingsOf(db, row) : null;
}

/**
 * The provider that signs in this email: the organisation holding the
 * approved claim to its domain, when its provider is enabled; else the
 * site-wide provider when OIDC_DOMAINS lists the domain; else none (password).
 */
export function providerSettingsForEmail(email: string): OidcSettings | null {
  if (!email.includes("@")) return null;
  const db = getDb();
  const row = db
    .select({ provider: oidcProviders })
    .from(orgDomains)
    .innerJoin(oidcProviders, eq(oidcProviders.orgId, orgDomains.orgId))
    .where(and(eq(orgDomains.domain, emailDomain(email)), eq(orgDomains.status, "approved"), eq(oidcProviders.enabled, true)))
    .get();
  if (row) return settingsOf(db, row.provider);
  const site = env().OIDC;
  return site && isSsoEmail(email, site.domains) ? site : null;
}

/** Whether anyone signs in through a provider here: the sign-in page then asks for the email first. */
export function singleSignOnOffered(): boolean {
  if (env().OIDC) return true;
  return anyOrganisationProvider().get() !== undefined;
}

/** Asked on every visit to the sign-in page, so prepared once per connection. */
const anyOrganisationProvider = reusableQuery((db) =>
  db
    .select({ id: oidcProviders.id })
    .from(oidcProviders)
    .innerJoin(orgDomains, eq(orgDomains.orgId, oidcProviders.orgId))
    .where(and(eq(oidcProviders.enabled, true), eq(orgDomains.status, "approved")))
    .limit(1),
);

/** The origins the sign-in form may end at (the CSP's form-action): every provider that can sign someone in. */
export function providerOrigins(): string[] {
  const origins = new Set<string>();
  const site = env().OIDC;
  if (site) origins.add(new URL(site.issuer).origin);
  for (const row of providerIssuers().all()) origins.add(new URL(row.issuer).origin);
  return [...origins];
}

/** Read for every sign-in page's security headers, so prepared once per connection. */
const providerIssuers = reusableQuery((db) =>
  db
    .selectDistinct({ issuer: oidcProviders.issuer })
    .from(oidcProviders)
    .innerJoin(orgDomains, eq(orgDomains.orgId, oidcProviders.orgId))
    .where(and(eq(oidcProviders.enabled, true), eq(orgDomains.status, "approved"))),
);

/**
 * The organisation's own provider's "SSO required" rule, for the page-level
 * enforcement (sso-policy.server.ts): null when it has no enabled provider.
 */
export function orgProviderPolicy(orgId: number): { required: boolean; issuer: string; breakGlassUserId: number | null } | null {
  const row = getDb()
    .select({ required: oidcProviders.required, issuer: oidcProviders.issuer, breakGlassUserId: oidcProviders.breakGlassUserId })
    .from(oidcProviders)
    .where(and(eq(oidcProviders.orgId, orgId), eq(oidcProviders.enabled, true)))
    .get();
  return row ?? null;
}

/**
 * The organisation's own provider as `ssoPolicyOf` (sso-policy.server.ts) answers: null without an enabled
 * provider. Two queries: every write to `oidc_providers` and `org_domains` moves the `org:<id>` counter, so an
 * "org counter" cached reader (app/data-cache.server.ts) may keep it.
 */
export function orgSsoPolicy(orgId: number): SsoPolicy | null {
  const db = getDb();
  const row = db
    .select()
    .from(oidcProviders)
    .where(and(eq(oidcProviders.orgId, orgId), eq(oidcProviders.enabled, true)))
    .get();
  if (!row) return null;
  return {
    required: row.required,
    issuers: [row.issuer],
    breakGlassEmail: breakGlassEmailOf(db, row.breakGlassUserId),
    domains: approvedDomainsOf(db, orgId),
  };
}
