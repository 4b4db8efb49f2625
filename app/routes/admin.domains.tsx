import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ConfirmedAction } from "~/components/confirmed-action";
import { ActionResult } from "~/components/forms";
import { SiteAdminTabs } from "~/components/site-admin-tabs";
import { DomainDecisionSchema, DomainRevocationSchema } from "~/modules/auth/org-sso-schemas";
import { decideDomainClaim, listAllDomainClaims, revokeDomainClaim } from "~/modules/auth/org-sso.server";
import { requireSiteAdmin } from "~/modules/auth/session.server";
import { formatDate } from "~/utils/format";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Single sign-on domains · Site admin" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireSiteAdmin(request);
  return {
    claims: listAllDomainClaims().map((claim) => ({
      ...claim,
      requestedAt: claim.requestedAt.toISOString(),
      decidedAt: claim.decidedAt?.toISOString() ?? null,
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireSiteAdmin(request);
  const actor = { type: "user" as const, id: admin.id, label: admin.email };
  const formData = await readFormData(request);
  return runIntentAction(formData, {
    approve: intent(
      DomainDecisionSchema,
      (input) => decideDomainClaim(input.claimId, "approved", actor),
      (claim) => `${claim.domain} approved: its people now sign in through their organisation's provider.`,
    ),
    reject: intent(
      DomainDecisionSchema,
      (input) => decideDomainClaim(input.claimId, "rejected", actor),
      (claim) => `The claim to ${claim.domain} was rejected; its people keep signing in with their password.`,
    ),
    revoke: intent(
      DomainRevocationSchema,
      (input) => revokeDomainClaim(input.claimId, actor),
      (claim) => `The approval of ${claim.domain} was revoked: its people sign in with their password again.`,
    ),
  });
}

const STATUS_WORDS = { pending: "Pending", approved: "Approved", rejected: "Rejected", revoked: "Revoked" } as const;

export default function SiteDomains() {
  const { claims } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failedClaim = result && !result.ok ? result.values?.claimId : undefined;
  const pending = claims.filter((claim) => claim.status === "pending");
  const decided = claims.filter((claim) => claim.status !== "pending");
  return (
    <>
      <h1>Single sign-on domains</h1>
      <SiteAdminTabs />
      <p>
        An organisation&rsquo;s administrators claim the email domains its identity provider serves. Once you approve a claim, everyone
        whose email is at that domain signs in through that organisation&rsquo;s provider, which can then create their account and give them
        roles there: approve only a domain you know the organisation owns. One organisation per domain; site administrators always sign in
        with their password. Revoking an approval sends the domain&rsquo;s people back to their password at their next sign-in.
      </p>
      <ActionResult result={result} />
      <h2>Waiting for a decision ({pending.length})</h2>
      {pending.length === 0 ? <p className="muted">No claim is waiting.</p> : null}
      {pending.map((claim) => (
        <section key={claim.id} className="card" aria-labelledby={`claim-${claim.id}`} style={{ maxWidth: 720 }}>
          <h3 id={`claim-${claim.id}`} className="mono">
            {claim.domain}
          </h3>
          <p>
            Claimed for <Link to={`/orgs/${claim.orgSlug}`}>{claim.orgName}</Link> by {claim.requestedBy} on {formatDate(claim.requestedAt)}
            .
          </p>
          <Form method="post" noValidate>
            <input type="hidden" name="claimId" value={claim.id} />
            <div className="field">
              <label>
                <input type="checkbox" name="confirm" /> I checked that {claim.orgName} owns {claim.domain}
              </label>
              {failedClaim === String(claim.id) && result?.errors?.confirm ? <p className="field-error">{result.errors.confirm}</p> : null}
            </div>
            <div className="inline-form">
              <button type="submit" name="intent" value="approve" aria-label={`Approve ${claim.domain} for ${claim.orgName}`}>
                Approve
              </button>
              <button
                type="submit"
                name="intent"
                value="reject"
                className="secondary"
                aria-label={`Reject ${claim.domain} for ${claim.orgName}`}
              >
                Reject
              </button>
            </div>
          </Form>
        </section>
      ))}
      <h2>Decided</h2>
      {decided.length === 0 ? (
        <p className="muted">No claim decided yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Domain</th>
                <th scope="col">Organisation</th>
                <th scope="col">Decision</th>
                <th scope="col">Decided</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {decided.map((claim) => (
                <tr key={claim.id}>
                  <td className="mono">{claim.domain}</td>
                  <td>
                    <Link to={`/orgs/${claim.orgSlug}`}>{claim.orgName}</Link>
                  </td>
                  <td>{STATUS_WORDS[claim.status]}</td>
                  <td>{formatDate(claim.decidedAt)}</td>
                  <td>
                    {claim.status === "approved" ? (
                      <ConfirmedAction
                        id={`revoke-${claim.id}`}
                        summary="Revoke…"
                        intent="revoke"
                        fields={{ claimId: claim.id }}
                        confirmLabel={`I understand: ${claim.orgName}’s provider no longer signs in people at ${claim.domain}`}
                        submitLabel="Revoke the approval"
                        submitAriaLabel={`Revoke the approval of ${claim.domain} for ${claim.orgName}`}
                        error={failedClaim === String(claim.id) ? result?.errors?.confirm : undefined}
                        compact
                      >
                        People at {claim.domain} then sign in with their password, not through {claim.orgName}&rsquo;s provider; sessions
                        that came through it run to their idle end. {claim.orgName} can claim the domain again.
                      </ConfirmedAction>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
