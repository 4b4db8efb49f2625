import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { ActionResult, FormError, SelectField, TextAreaField, useFocusOnArrival } from "~/components/forms";
import { FrameworkComponentDetails, FrameworkOverview } from "~/components/framework-pages";
import { SiteAdminTabs } from "~/components/site-admin-tabs";
import {
  deleteFrameworkDraft,
  FrameworkUploadInvalid,
  getUploadedFrameworkVersion,
  listUploadedFrameworkVersions,
  publishFrameworkVersion,
  saveFrameworkDraft,
} from "~/modules/assessment/framework-versions.server";
import { requireSiteAdmin } from "~/modules/auth/session.server";
import { componentView, listBuiltInFrameworkVersions } from "~/modules/framework/framework";
import { FrameworkDraftSchema, FrameworkPublishSchema, FrameworkUploadSchema } from "~/modules/framework/framework-upload-schemas";
import { issueLine } from "~/modules/framework/framework-validation";
import { DomainError } from "~/utils/errors";
import { intent, readFormData, runIntentAction, type FormActionResult } from "~/utils/form-action.server";
import { formatDateTime } from "~/utils/format";
import { notFound } from "~/utils/http";
import { parseForm } from "~/utils/validation";

export const meta: MetaFunction = () => [{ title: "Framework versions · Site admin" }];

/** The page, previewing `preview` (an uploaded version's id) and, within it, `component`. */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireSiteAdmin(request);
  const url = new URL(request.url);
  const previewId = url.searchParams.get("preview");
  const uploaded = previewId && /^\d{1,15}$/.test(previewId) ? getUploadedFrameworkVersion(Number(previewId)) : undefined;
  if (previewId && !uploaded) throw notFound("No uploaded framework version with that id");
  const component = url.searchParams.get("component");
  const preview = uploaded && {
    ...uploaded,
    component: component === null ? null : (componentView(uploaded.framework, component) ?? null),
  };
  if (component !== null && !preview?.component) throw notFound("No such component in this version");
  return { builtIn: listBuiltInFrameworkVersions(), versions: listUploadedFrameworkVersions(), preview };
}

type UploadResult = FormActionResult & { issues?: string[] };

/** Upload (a file, or pasted JSON): saved as a draft and previewed, or every problem listed and nothing saved. */
async function upload(formData: FormData, actor: { type: "user"; id: number; label: string }) {
  const file = formData.get("file");
  if (file instanceof File && file.size > 0) formData.set("content", await file.text());
  formData.delete("file");
  const parsed = parseForm(formData, FrameworkUploadSchema);
  // The pasted text is not sent back: it can be large, and the file's is not the person's typing.
  if (!parsed.ok) return data<UploadResult>({ ok: false, intent: "upload", errors: parsed.errors }, { status: 400 });
  try {
    const saved = saveFrameworkDraft(parsed.data.content, actor, parsed.data.replaceId);
    return redirect(`/admin/frameworks?preview=${saved.id}#preview`);
  } catch (error) {
    if (error instanceof FrameworkUploadInvalid) {
      return data<UploadResult>(
        { ok: false, intent: "upload", errors: { content: error.message }, issues: error.frameworkIssues.map(issueLine) },
        { status: 422 },
      );
    }
    if (error instanceof DomainError) {
      return data<UploadResult>({ ok: false, intent: "upload", errors: { [error.field ?? "form"]: error.message } }, { status: 409 });
    }
    throw error;
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireSiteAdmin(request);
  const actor = { type: "user" as const, id: user.id, label: user.email };
  const formData = await readFormData(request);
  if (formData.get("intent") === "upload") return upload(formData, actor);
  return runIntentAction(formData, {
    publish: intent(
      FrameworkPublishSchema,
      (input) => publishFrameworkVersion(input.versionId, actor),
      (version) => `Version ${version} is published: organisations can choose it for their next assessment. It can never be changed.`,
    ),
    delete: intent(
      FrameworkDraftSchema,
      (input) => deleteFrameworkDraft(input.versionId, actor),
      () => redirect("/admin/frameworks"),
    ),
  });
}

/**
 * The draft an upload of this page just saved (its post answered by the redirect to its preview), until another is
 * previewed: its form is made anew for the next upload, so the button that had focus is gone. Without JavaScript the
 * preview's page opens at the preview, as before.
 */
function useJustUploaded(uploadRefused: boolean, previewId: number | undefined) {
  const navigation = useNavigation();
  const uploading = navigation.formData?.get("intent") === "upload";
  const sent = useRef(false);
  const [saved, setSaved] = useState<{ id: number }>();
  useEffect(() => {
    if (uploading) sent.current = true;
    else if (navigation.state === "idle" && sent.current) {
      sent.current = false;
      setSaved(uploadRefused || previewId === undefined ? undefined : { id: previewId });
    }
  }, [uploading, navigation.state, uploadRefused, previewId]);
  return saved && saved.id === previewId ? saved : undefined;
}

export default function SiteFrameworks() {
  const { builtIn, versions, preview } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as UploadResult | undefined;
  const uploadResult = result?.intent === "upload" ? result : undefined;
  const drafts = versions.filter((v) => v.status === "draft");
  const previewHref = (id: number) => `/admin/frameworks?preview=${id}#preview`;
  const uploaded = useJustUploaded(Boolean(uploadResult), preview?.id);
  const uploadedNotice = useFocusOnArrival<HTMLParagraphElement>(uploaded);
  return (
    <>
      <h1>Framework versions</h1>
      <SiteAdminTabs />
      <p className="lead">
        Built-in versions {builtIn.join(" and ")} ship with the portal. Upload another version as JSON in the same shape (
        <a href="/api/v1/framework/schema.json">JSON Schema</a>): it is checked, saved as a draft you can preview, replace or delete, and
        once published organisation administrators can choose it for their next assessment.
      </p>
      {uploadResult ? null : <ActionResult result={result} />}
      {versions.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Uploaded</th>
                <th scope="col">Published</th>
                <th scope="col">SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id}>
                  <th scope="row">
                    <Link to={previewHref(v.id)}>Version {v.version}</Link>
                  </th>
                  <td>{v.name}</td>
                  <td>{v.status === "draft" ? "Draft" : "Published"}</td>
                  <td>
                    {formatDateTime(v.uploadedAt)} by {v.uploadedBy}
                  </td>
                  <td>{v.publishedAt ? `${formatDateTime(v.publishedAt)} by ${v.publishedBy}` : "—"}</td>
                  <td className="mono" title={v.contentHash}>
                    {v.contentHash.slice(0, 12)}…
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">No uploaded versions yet.</p>
      )}

      <section className="card" style={{ marginTop: "1.5rem", maxWidth: 720 }} aria-labelledby="upload">
        <h2 id="upload">Upload a framework version</h2>
        {/* A new form after each saved upload, so the next one starts empty. */}
        <Form method="post" encType="multipart/form-data" noValidate key={preview?.id ?? "new"}>
          <input type="hidden" name="intent" value="upload" />
          <FormError error={uploadResult?.errors?.form} />
          <div className="field">
            <label htmlFor="framework-file">JSON file</label>
            <input id="framework-file" type="file" name="file" accept="application/json,.json" />
          </div>
          <TextAreaField
            label="Or paste the JSON"
            name="content"
            rows={8}
            spellCheck={false}
            hint="A file, when chosen, is used instead. Check a file from the shell first with npm run framework:validate -- <file>."
            error={uploadResult?.errors?.content}
          />
          {uploadResult?.issues?.length ? (
            <ul className="field-error" aria-label="Problems found">
              {uploadResult.issues.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          ) : null}
          {drafts.length > 0 ? (
            <SelectField
              label="Save as"
              name="replaceId"
              options={[
                { value: "", label: "A new draft" },
                ...drafts.map((d) => ({ value: String(d.id), label: `In place of the draft of version ${d.version}` })),
              ]}
              error={uploadResult?.errors?.replaceId}
            />
          ) : null}
          <button type="submit">Check and save as draft</button>
        </Form>
      </section>

      {preview ? (
        <section id="preview" aria-labelledby="preview-title" style={{ marginTop: "2rem" }}>
          <h2 id="preview-title">
            {preview.status === "draft" ? "Preview of the draft of" : "Published"} version {preview.version}
          </h2>
          {uploaded ? (
            <p className="notice" role="status" tabIndex={-1} ref={uploadedNotice} data-testid="framework-uploaded">
              Version {preview.version} uploaded and saved as a draft: check the preview below, then publish it or delete it.
            </p>
          ) : null}
          <p className="muted">
            SHA-256{" "}
            <span className="mono" style={{ overflowWrap: "anywhere" }}>
              {preview.contentHash}
            </span>
            .{" "}
            {preview.status === "draft"
              ? "This is how the framework pages will show it once published."
              : `Published ${formatDateTime(preview.publishedAt)} by ${preview.publishedBy}; it can never be changed.`}
          </p>
          {preview.status === "draft" ? (
            <div className="card" style={{ maxWidth: 720 }}>
              <Form method="post" noValidate>
                <input type="hidden" name="intent" value="publish" />
                <input type="hidden" name="versionId" value={preview.id} />
                <div className="field">
                  <label>
                    <input type="checkbox" name="confirm" aria-describedby={result?.errors?.confirm ? "confirm-error" : undefined} /> I
                    understand that published versions can never be changed or deleted
                  </label>
                  {result?.errors?.confirm ? (
                    <p id="confirm-error" className="field-error">
                      {result.errors.confirm}
                    </p>
                  ) : null}
                </div>
                <button type="submit">Publish version {preview.version}</button>
              </Form>
              <Form method="post" noValidate style={{ marginTop: "1rem" }}>
                <input type="hidden" name="intent" value="delete" />
                <input type="hidden" name="versionId" value={preview.id} />
                <button type="submit" className="secondary">
                  Delete this draft
                </button>
              </Form>
            </div>
          ) : null}
          <div className="preview">
            {preview.component ? (
              <FrameworkComponentDetails
                view={preview.component}
                backHref={previewHref(preview.id)}
                backLabel={`Version ${preview.version}`}
              />
            ) : (
              <FrameworkOverview
                framework={preview.framework}
                componentHref={(id) => `/admin/frameworks?preview=${preview.id}&component=${encodeURIComponent(id)}#preview`}
              />
            )}
          </div>
        </section>
      ) : null}
    </>
  );
}
