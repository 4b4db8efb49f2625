import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/forms";
import { RiskBadge } from "~/components/registry";
import { requireMember } from "~/modules/auth/membership.server";
import { reviewInbox } from "~/modules/governance/inbox.server";
import { formatDateTime } from "~/utils/format";
import { AppLink } from "~/components/link";

export const meta: MetaFunction = () => [{ title: "Reviews" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, user } = await requireMember(request, params.orgSlug);
  return { org, role, ...reviewInbox(org.id, { role, userId: user.id }) };
}

export default function Reviews() {
  const { org, role, cards, audits, approvals, policies } = useLoaderData<typeof loader>();
  const versionPath = (model: string, version: string) => `/orgs/${org.slug}/models/${model}/versions/${version}` as const;
  return (
    <>
      <h1>Reviews</h1>
      <p className="lead">
        {role === "ethics" ? (
          "Model cards, bias audits, promotion requests and approval policies waiting for you to decide: not the audits you ran, the policies you proposed, or the requests you opened, own the model of, or already decided."
        ) : role === "auditor" ? (
          <>
            An auditor reads every decision but makes none, so nothing here waits for you. What was decided, and by whom, is in the{" "}
            <AppLink to={`/orgs/${org.slug}/audit`}>audit log</AppLink>; what is still open shows on each model&apos;s page.
          </>
        ) : (
          "Promotion requests waiting for you to decide: not the requests you opened, own the model of, or already decided. Model cards and bias audits are signed off by the ethics committee."
        )}
      </p>
      {role === "ethics" ? (
        <>
          <section aria-labelledby="cards-title">
            <h2 id="cards-title">Model cards in review ({cards.length})</h2>
            {cards.length === 0 ? (
              <p className="muted">No cards waiting.</p>
            ) : (
              <ul>
                {cards.map((c) => (
                  <li key={c.id}>
                    <AppLink to={`${versionPath(c.model, c.version)}/card`}>
                      {c.modelName} {c.version}, revision {c.revision}
                    </AppLink>{" "}
                    <RiskBadge tier={c.riskTier} />{" "}
                    <span className="muted">
                      submitted {formatDateTime(c.submittedAt)} by {c.by}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="audits-title">
            <h2 id="audits-title">Bias audits waiting for sign-off ({audits.length})</h2>
            {audits.length === 0 ? (
              <p className="muted">No audits waiting.</p>
            ) : (
              <ul>
                {audits.map((a) => (
                  <li key={a.id}>
                    <AppLink to={`/orgs/${org.slug}/bias-audits/${a.id}`}>
                      Audit #{a.id}: {a.modelName} {a.version}
                    </AppLink>{" "}
                    <span className={a.passed ? "ok-text" : "bad-text"}>{a.passed ? "passed" : "failed"}</span>{" "}
                    <span className="muted">
                      {a.rows.toLocaleString("en")} rows, {formatDateTime(a.createdAt)} by {a.by}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      ) : null}
      {role === "auditor" ? null : (
        <section aria-labelledby="approvals-title">
          <h2 id="approvals-title">Promotion requests waiting ({approvals.length})</h2>
          {approvals.length === 0 ? (
            <p className="muted">No requests waiting.</p>
          ) : (
            <ul>
              {approvals.map((r) => (
                <li key={r.id}>
                  <AppLink to={`/orgs/${org.slug}/approvals/${r.id}`}>
                    Request #{r.id}: {r.modelName} {r.version} to production
                  </AppLink>{" "}
                  <span className="muted">
                    needs {r.pendingRoles.join(" and ") || "nothing more"}; requested by {r.requestedBy}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {policies.length ? (
        <section aria-labelledby="policies-title">
          <h2 id="policies-title">Approval policies waiting for confirmation ({policies.length})</h2>
          <ul>
            {policies.map((p) => (
              <li key={p.id}>
                <AppLink to={`/orgs/${org.slug}/admin/approval-policies#tier-${p.riskTier}`}>
                  {p.riskTier} risk: {p.description}
                </AppLink>{" "}
                <span className="muted">
                  proposed {formatDateTime(p.proposedAt)} by {p.proposedBy}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {role !== "auditor" && cards.length + audits.length + approvals.length + policies.length === 0 ? (
        <EmptyState title="Nothing waiting">
          <p>New submissions appear here.</p>
        </EmptyState>
      ) : null}
    </>
  );
}
