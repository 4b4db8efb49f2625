import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AdminTabs } from "~/components/admin-tabs";
import { ActionResult, FormError, SelectField, TextField } from "~/components/forms";
import { requireMember } from "~/modules/auth/membership.server";
import { DiscoveryCheckSchema, DomainClaimIdSchema, DomainClaimSchema, oidcProviderSchema } from "~/modules/auth/org-sso-schemas";
import {
  adminMembers,
  checkDiscovery,
  claimDomain,
  findOrgProvider,
  listDomainClaims,
  saveOrgProvider,
  withdrawDomainClaim,
  type DiscoveryResult,
} from "~/modules/auth/org-sso.server";
import { ROLE_LABELS, ROLES } from "~/modules/auth/roles";
import { env } from "~/utils/env.server";
import { DomainError } from "~/utils/errors";
import { formatDate } from "~/utils/format";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";
import { parseForm, submittedValues, type FieldErrors } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Single sign-on · Admin" }];

/** Empty role-map rows the form offers beside the saved ones (it works without JavaScript). */
const SPARE_ROWS = 3;

const STATUS_WORDS = {
  pending: "Waiting for a site administrator",
  approved: "Approved",
  rejected: "Rejected",
  revoked: "Approval revoked by a site administrator",
} as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, ["admin"]);
  const publicUrl = env().PUBLIC_URL;
  const provider = findOrgProvider(org.id);
  return {
    org,
    provider: provider && { ...provider, updatedAt: provider.updatedAt.toISOString() },
    admins: adminMembers(org.id),
    claims: listDomainClaims(org.id).map((claim) => ({ ...claim, requestedAt: claim.requestedAt.toISOString() })),
    redirectUri: publicUrl ? `${publicUrl}/auth/oidc/callback` : null,
  };
}

type ProviderFormResult = {
  ok: boolean;
  intent: "save" | "check-discovery";
  notice?: string;
  errors?: FieldErrors;
  values?: Record<string, string>;
  lists?: Record<string, string[]>;
  discovery?: DiscoveryResult;
};

/** What was typed, to fill the form again: never the client secret. */
function typed(formData: FormData) {
  const values: Record<string, string> = {};
  for (const [key, value] of formData) if (typeof value === "string" && key !== "clientSecret") values[key] = value;
  const list = (name: string) => formData.getAll(name).filter((v): v is string => typeof v === "string");
  return { values, lists: { mapGroup: list("mapGroup"), mapRole: list("mapRole") } };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, user: member } = await requireMember(request, params.orgSlug, ["admin"]);
  const user = { type: "user" as const, id: member.id, label: member.email };
  const formData = await readFormData(request);
  const name = formData.get("intent");
  if (name === "save" || name === "check-discovery") {
    const again = typed(formData);
    if (name === "check-discovery") {
      const parsed = parseForm(formData, DiscoveryCheckSchema);
      if (!parsed.ok) return data<ProviderFormResult>({ ok: false, intent: name, errors: parsed.errors, ...again }, { status: 400 });
      const discovery = await checkDiscovery(parsed.data.issuer);
      if (!discovery.ok) {
        return data<ProviderFormResult>({ ok: false, intent: name, errors: { issuer: discovery.message }, ...again }, { status: 422 });
      }
      return data<ProviderFormResult>({ ok: true, intent: name, discovery, ...again });
    }
    const parsed = parseForm(formData, oidcProviderSchema(env().OIDC_ALLOW_HTTP));
    if (!parsed.ok) return data<ProviderFormResult>({ ok: false, intent: name, errors: parsed.errors, ...again }, { status: 400 });
    try {
      saveOrgProvider(org.id, parsed.data, user);
    } catch (error) {
      if (error instanceof DomainError) {
        return data<ProviderFormResult>(
          { ok: false, intent: name, errors: { [error.field ?? "form"]: error.message }, ...again },
          { status: 422 },
        );
      }
      throw error;
    }
    return data<ProviderFormResult>({ ok: true, intent: name, notice: "Single sign-on settings saved." });
  }
  return runIntentAction(formData, {
    claim: intent(
      DomainClaimSchema,
      (input) => claimDomain(org.id, input.domain, user),
      (claim) => `Claim to ${claim.domain} sent: a site administrator approves it before its people sign in through your provider.`,
    ),
    withdraw: intent(
      DomainClaimIdSchema,
      (input) => withdrawDomainClaim(org.id, input.claimId, user),
      (claim) => `Claim to ${claim.domain} withdrawn: its people sign in with their password again.`,
    ),
  });
}

/** A discovery document in order (a failed check is an error on the issuer field). */
function Discovery({ result }: { result: Extract<DiscoveryResult, { ok: true }> }) {
  return (
    <div className="notice" role="status">
      <p>The provider&rsquo;s discovery document is in order.</p>
      <dl className="facts" style={{ overflowWrap: "anywhere" }}>
        <dt>Issuer</dt>
        <dd className="mono">{result.issuer}</dd>
        <dt>Sign-in page</dt>
        <dd className="mono">{result.authorizationEndpoint}</dd>
        <dt>Token endpoint</dt>
        <dd className="mono">{result.tokenEndpoint}</dd>
        <dt>Signing keys</dt>
        <dd className="mono">{result.jwksUri}</dd>
        <dt>Sign-out at the provider</dt>
        <dd>{result.endSession ? "Offered" : "Not offered"}</dd>
      </dl>
    </div>
  );
}

export default function SingleSignOn() {
  const { org, provider, admins, claims, redirectUri } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as
    | (ProviderFormResult | { ok: boolean; intent?: string; notice?: string; errors?: FieldErrors; values?: Record<string, string> })
    | undefined;
  const providerResult = result?.intent === "save" || result?.intent === "check-discovery" ? (result as ProviderFormResult) : undefined;
  const refilled = providerResult && !(providerResult.ok && providerResult.intent === "save") ? providerResult : undefined;
  const errors: Record<string, string | undefined> = providerResult?.ok ? {} : (providerResult?.errors ?? {});
  const value = (field: string, saved: string) => refilled?.values?.[field] ?? saved;
  const checked = (field: string, saved: boolean) => (refilled ? refilled.values?.[field] === "on" : saved);
  const savedRows = Object.entries(provider?.roleMap ?? {});
  const groups = refilled ? submittedValues(refilled, "mapGroup") : savedRows.map(([group]) => group);
  const roles = refilled ? submittedValues(refilled, "mapRole") : savedRows.map(([, role]) => role);
  const rows = Math.max(groups.length, roles.length) + SPARE_ROWS;
  const claimResult = result && !providerResult ? result : undefined;
  const claimErrors: Record<string, string | undefined> = claimResult && !claimResult.ok ? (claimResult.errors ?? {}) : {};
  const roleOptions = ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }));
  return (
    <>
      <h1>Administration</h1>
      <AdminTabs orgSlug={org.slug} />
      <p>
        People of your organisation can sign in through its own identity provider (OpenID Connect: Microsoft Entra ID, Okta, Google
        Workspace, Keycloak…). Register this portal at the provider as a web application with the redirect URI{" "}
        {redirectUri ? (
          <code style={{ overflowWrap: "anywhere" }}>{redirectUri}</code>
        ) : (
          <strong>(not set: the portal has no PUBLIC_URL)</strong>
        )}
        , then enter what it gives you below. The provider signs in only people of the email domains you claimed and a site administrator
        approved; a site administrator never signs in through it.
      </p>

      <section className="card" style={{ maxWidth: 760 }} aria-labelledby="provider-title">
        <h2 id="provider-title">Identity provider</h2>
        {providerResult?.intent === "save" ? <ActionResult result={providerResult} /> : null}
        {provider?.hasSecret && !provider.secretReadable ? (
          <p className="form-error">
            The stored client secret cannot be read any more (the portal&rsquo;s secrets key changed since it was saved): nobody can sign in
            through your provider until you enter the client secret again and save.
          </p>
        ) : null}
        {providerResult?.discovery?.ok ? <Discovery result={providerResult.discovery} /> : null}
        <Form method="post" noValidate key={providerResult?.ok && providerResult.intent === "save" ? "saved" : "form"}>
          <FormError error={errors.form} />
          <TextField
            label="Issuer URL"
            name="issuer"
            type="url"
            required
            defaultValue={value("issuer", provider?.issuer ?? "")}
            error={errors.issuer}
            hint={
              <span style={{ overflowWrap: "anywhere" }}>
                The provider&rsquo;s address, as its discovery document names it, e.g. https://login.microsoftonline.com/&lt;tenant&gt;/v2.0
              </span>
            }
          />
          <p>
            <button type="submit" name="intent" value="check-discovery" className="secondary small" formNoValidate>
              Check discovery
            </button>
          </p>
          <TextField
            label="Client id"
            name="clientId"
            required
            defaultValue={value("clientId", provider?.clientId ?? "")}
            error={errors.clientId}
          />
          <TextField
            label="Client secret"
            name="clientSecret"
            type="password"
            autoComplete="new-password"
            error={errors.clientSecret}
            hint={
              !provider?.hasSecret
                ? "Stored sealed and never shown again."
                : provider.secretReadable
                  ? "Stored sealed and never shown. Leave blank to keep it."
                  : "The stored one cannot be read: enter it again."
            }
          />
          <TextField
            label="Groups claim"
            name="groupsClaim"
            required
            defaultValue={value("groupsClaim", provider?.groupsClaim ?? "groups")}
            error={errors.groupsClaim}
            hint="The ID token claim that lists a person's groups"
          />
          <fieldset style={{ minWidth: 0 }}>
            <legend>Groups and the roles they give</legend>
            <p className="hint">Someone in several mapped groups gets the role with the most rights. Leave a row empty to drop it.</p>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Group at the provider</th>
                    <th scope="col">Role here</th>
                  </tr>
                </thead>
                <tbody>
                  {Array.from({ length: rows }, (_, at) => (
                    <tr key={at}>
                      <td>
                        <input
                          name="mapGroup"
                          style={{ width: "100%" }}
                          aria-label={`Group ${at + 1}`}
                          defaultValue={groups[at] ?? ""}
                          aria-invalid={errors[`mapGroup.${at}`] ? true : undefined}
                          aria-describedby={errors[`mapGroup.${at}`] ? `mapGroup-${at}-error` : undefined}
                        />
                        {errors[`mapGroup.${at}`] ? (
                          <p id={`mapGroup-${at}-error`} className="field-error">
                            {errors[`mapGroup.${at}`]}
                          </p>
                        ) : null}
                      </td>
                      <td>
                        <select
                          name="mapRole"
                          style={{ width: "100%" }}
                          aria-label={`Role of group ${at + 1}`}
                          defaultValue={roles[at] ?? ""}
                          aria-invalid={errors[`mapRole.${at}`] ? true : undefined}
                          aria-describedby={errors[`mapRole.${at}`] ? `mapRole-${at}-error` : undefined}
                        >
                          <option value="">—</option>
                          {roleOptions.map((o) => (
                            <option key={o.value} value={o.value}>
                              {o.label}
                            </option>
                          ))}
                        </select>
                        {errors[`mapRole.${at}`] ? (
                          <p id={`mapRole-${at}-error`} className="field-error">
                            {errors[`mapRole.${at}`]}
                          </p>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </fieldset>
          <SelectField
            label="Role of someone in no mapped group"
            name="defaultRole"
            defaultValue={value("defaultRole", provider?.defaultRole ?? "")}
            error={errors.defaultRole}
            options={[{ value: "", label: "None: they cannot sign in here" }, ...roleOptions]}
          />
          <div className="field">
            <label>
              <input type="checkbox" name="createUsers" defaultChecked={checked("createUsers", provider?.createUsers ?? true)} /> Create an
              account on a first sign-in (otherwise people must be invited first)
            </label>
          </div>
          <div className="field">
            <label>
              <input type="checkbox" name="required" defaultChecked={checked("required", provider?.required ?? false)} /> Require single
              sign-on for this organisation&rsquo;s pages
            </label>
          </div>
          <SelectField
            label="Break-glass administrator"
            name="breakGlassUserId"
            defaultValue={value("breakGlassUserId", provider?.breakGlassUserId ? String(provider.breakGlassUserId) : "")}
            error={errors.breakGlassUserId}
            hint="The one admin who may still use a password here when single sign-on is required (for when the provider is down)"
            options={[{ value: "", label: "None" }, ...admins.map((a) => ({ value: String(a.id), label: `${a.name} (${a.email})` }))]}
          />
          <div className="field">
            <label>
              <input type="checkbox" name="enabled" defaultChecked={checked("enabled", provider?.enabled ?? true)} /> Turned on (people of
              the approved domains sign in through it)
            </label>
          </div>
          <button type="submit" name="intent" value="save">
            Save single sign-on settings
          </button>
        </Form>
        {provider ? (
          <p className="muted">
            Last changed by {provider.updatedByLabel} on {formatDate(provider.updatedAt)}.
          </p>
        ) : null}
      </section>

      <section className="card" style={{ maxWidth: 760, marginTop: "1.5rem" }} aria-labelledby="domains-title">
        <h2 id="domains-title">Email domains</h2>
        <ActionResult result={claimResult} />
        {claims.length === 0 ? (
          <p className="muted">No domain claimed yet: until one is approved, everyone signs in with a password.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Domain</th>
                  <th scope="col">Status</th>
                  <th scope="col">Claimed</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {claims.map((claim) => (
                  <tr key={claim.id}>
                    <td className="mono">{claim.domain}</td>
                    <td>{STATUS_WORDS[claim.status]}</td>
                    <td>{formatDate(claim.requestedAt)}</td>
                    <td>
                      <Form method="post">
                        <input type="hidden" name="intent" value="withdraw" />
                        <input type="hidden" name="claimId" value={claim.id} />
                        <button type="submit" className="small secondary" aria-label={`Withdraw the claim to ${claim.domain}`}>
                          Withdraw
                        </button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Form method="post" noValidate style={{ marginTop: "1rem" }}>
          <input type="hidden" name="intent" value="claim" />
          <TextField
            label="Claim a domain"
            name="domain"
            required
            defaultValue={claimResult && !claimResult.ok ? claimResult.values?.domain : undefined}
            error={claimErrors.domain ?? claimErrors.claimId}
            hint="People whose email ends in @this-domain will sign in through your provider once a site administrator approves the claim"
          />
          <button type="submit">Claim the domain</button>
        </Form>
      </section>
    </>
  );
}
