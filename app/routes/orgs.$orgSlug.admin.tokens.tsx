import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AdminTabs } from "~/components/admin-tabs";
import { ConfirmedAction } from "~/components/confirmed-action";
import { OneTimeResult } from "~/components/one-time-result";
import { ActionResult, TextField, useFormPostUnderWay } from "~/components/forms";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { API_SCOPES, SCOPE_DESCRIPTIONS } from "~/modules/auth/api-scopes";
import { createApiToken, listApiTokens, revokeApiToken } from "~/modules/auth/api-tokens.server";
import { ApiTokenCreateSchema, ApiTokenRevokeSchema } from "~/modules/auth/auth-schemas";
import { requireMember } from "~/modules/auth/membership.server";
import { submitOnce } from "~/modules/http/submit-once.server";
import { formatDateTime } from "~/utils/format";
import { submittedValues } from "~/utils/validation";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "API tokens · Admin" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, ["admin"]);
  return { org, tokens: listApiTokens(org.id) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor, user } = await requireMember(request, params.orgSlug, ["admin"]);
  const formData = await readFormData(request);
  // Creating carries a one-time token: sent twice, it creates one token (the replay cannot show it again).
  return submitOnce(request, user.id, formData, () =>
    runIntentAction(formData, {
      create: intent(
        ApiTokenCreateSchema,
        (input) => createApiToken(org.id, input, actor),
        (created) => ({ notice: "Token created. Copy it now; it will not be shown again.", reveal: created.token }),
      ),
      revoke: intent(
        ApiTokenRevokeSchema,
        (input) => revokeApiToken(org.id, input.tokenId, actor),
        (name) => `Token ${name} revoked: every request with it is refused from now on.`,
      ),
    }),
  );
}

export default function ApiTokens() {
  const { org, tokens } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const posting = useFormPostUnderWay();
  // The token made, shown once; it goes while another form is sent, as every notice does: it was shown for the action just taken.
  const made = result?.ok && result.intent === "create" && !posting ? result : undefined;
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  const revoking = result && !result.ok && result.intent === "revoke" ? String(result.values?.tokenId) : undefined;
  const revokeError = (tokenId: number) => (revoking === String(tokenId) ? (errors.confirm ?? errors.tokenId) : undefined);
  // A refused "create" comes back with what was typed and ticked (without JavaScript the page is new); a token made
  // empties the form, so a second click cannot make the same token twice.
  const refused = result && !result.ok && result.intent === "create" ? result : undefined;
  const created = result?.ok && result.intent === "create" ? (result.reveal ?? "created") : undefined;
  const checkedScopes = submittedValues(refused, "scopes");
  return (
    <>
      <h1>Administration</h1>
      <AdminTabs orgSlug={org.slug} />
      {made ? <OneTimeResult notice={made.notice} value={made.reveal} testId="new-token" /> : <ActionResult result={result} />}
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">API tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Token</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {tokens.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  No tokens yet.
                </td>
              </tr>
            ) : null}
            {tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td className="mono">{t.prefix}…</td>
                <td>
                  {t.scopes.map((s) => (
                    <span key={s} className="tag">
                      {s}
                    </span>
                  ))}
                </td>
                <td>
                  {formatDateTime(t.createdAt)} by {t.createdBy}
                </td>
                <td>{formatDateTime(t.lastUsedAt)}</td>
                <td>{t.revokedAt ? <span className="muted">Revoked {formatDateTime(t.revokedAt)}</span> : "Active"}</td>
                <td>
                  {t.revokedAt ? null : (
                    <ConfirmedAction
                      compact
                      id={`revoke-${t.id}`}
                      summary="Revoke…"
                      intent="revoke"
                      fields={{ tokenId: t.id }}
                      confirmLabel={`Revoke ${t.name} for good`}
                      submitLabel="Revoke"
                      submitAriaLabel={`Revoke ${t.name}`}
                      error={revokeError(t.id)}
                    >
                      Every request with this token is refused from now on
                      {t.lastUsedAt ? `; it was last used ${formatDateTime(t.lastUsedAt)}` : ""}. A revoked token cannot be turned back on:
                      give its pipeline a new one.
                    </ConfirmedAction>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section className="card" style={{ marginTop: "1.5rem", maxWidth: 720 }} aria-labelledby="new-token-title">
        <h2 id="new-token-title">Create a token</h2>
        <Form method="post" noValidate key={created ?? "create"}>
          <input type="hidden" name="intent" value="create" />
          <SubmissionToken />
          <TextField
            label="Name"
            name="name"
            required
            defaultValue={refused?.values?.name}
            error={refused?.errors?.name}
            hint="What uses it, e.g. training-pipeline"
          />
          <fieldset aria-describedby={refused?.errors?.scopes ? "scopes-error" : undefined}>
            <legend>Scopes</legend>
            {API_SCOPES.map((scope) => (
              <label key={scope} style={{ display: "block" }}>
                <input type="checkbox" name="scopes" value={scope} defaultChecked={checkedScopes.includes(scope)} /> <code>{scope}</code>{" "}
                <span className="muted">{SCOPE_DESCRIPTIONS[scope]}</span>
              </label>
            ))}
            {refused?.errors?.scopes ? (
              <p id="scopes-error" className="field-error">
                {refused.errors.scopes}
              </p>
            ) : null}
          </fieldset>
          <SubmitButton>Create token</SubmitButton>
        </Form>
      </section>
      <p className="muted">
        Pipelines send <code>Authorization: Bearer &lt;token&gt;</code> to <code>/api/v1/…</code>. The API is described in{" "}
        <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
      </p>
    </>
  );
}
