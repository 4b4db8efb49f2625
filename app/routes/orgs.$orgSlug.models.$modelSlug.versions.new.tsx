import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useRef } from "react";
import { DraftNotice, useFormDraft } from "~/components/autosave";
import { DATE_TIME_INPUT_BOUNDS } from "~/utils/validation";
import { FormError, SelectField, TextAreaField, TextField } from "~/components/forms";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { requireMember } from "~/modules/auth/membership.server";
import { runFormActionOnce } from "~/modules/http/submit-once.server";
import { REGISTRY_WRITERS } from "~/modules/auth/roles";
import { createVersion, getModel } from "~/modules/registry/registry.server";
import { ModelVersionFormSchema } from "~/modules/registry/registry-schemas";
import { notFound } from "~/utils/http";

export const meta: MetaFunction = () => [{ title: "Register a version" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  const model = getModel(org.id, params.modelSlug ?? "");
  if (!model) throw notFound("Model not found");
  return { org, model: { slug: model.slug, name: model.name, versions: model.versions.map((v) => v.version) } };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor, user } = await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  return runFormActionOnce(
    request,
    user.id,
    ModelVersionFormSchema,
    (input) => createVersion(org.id, params.modelSlug ?? "", input, actor, "ui"),
    ({ model, version }) => redirect(`/orgs/${org.slug}/models/${model.slug}/versions/${version.version}`),
  );
}

export default function NewVersion() {
  const { org, model } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  const values: Record<string, string | undefined> = result?.values ?? {};
  const formRef = useRef<HTMLFormElement>(null);
  const draft = useFormDraft(formRef, `${org.slug}:${model.slug}:new-version`);
  return (
    <>
      <p>
        <Link to={`/orgs/${org.slug}/models/${model.slug}`}>← {model.name}</Link>
      </p>
      <h1>Register a version of {model.name}</h1>
      <Form method="post" noValidate className="card" style={{ maxWidth: 720 }} ref={formRef} {...draft.formProps}>
        <DraftNotice restoredAt={draft.restoredAt} onDiscard={draft.discard} />
        <FormError error={errors.form} />
        <SubmissionToken />
        <TextField
          label="Version"
          name="version"
          required
          placeholder="1.0.0"
          defaultValue={values.version}
          error={errors.version}
          hint="Semantic version, unique for this model."
        />
        <SelectField
          label="Stage"
          name="stage"
          defaultValue={values.stage ?? "development"}
          error={errors.stage}
          options={["development", "validation", "staging"].map((s) => ({ value: s, label: s }))}
          hint="Production is reached by promotion, never by registration."
        />
        <SelectField
          label="Parent version"
          name="parentVersion"
          defaultValue={values.parentVersion ?? ""}
          error={errors.parentVersion}
          options={[{ value: "", label: "None" }, ...model.versions.map((v) => ({ value: v, label: v }))]}
        />
        <TextField label="Algorithm" name="algorithm" defaultValue={values.algorithm} error={errors.algorithm} />
        <TextField label="Framework" name="framework" defaultValue={values.framework} error={errors.framework} />
        <TextField label="Code reference (commit)" name="codeRef" defaultValue={values.codeRef} error={errors.codeRef} />
        <TextField
          label="Committed at (UTC)"
          name="committedAt"
          type="datetime-local"
          {...DATE_TIME_INPUT_BOUNDS}
          defaultValue={values.committedAt}
          error={errors.committedAt}
          hint="When the code was committed. Lead time to production counts from here; without it, from registration."
        />
        <TextField
          label="Training data reference"
          name="trainingDataRef"
          defaultValue={values.trainingDataRef}
          error={errors["trainingData.ref"] ?? errors.trainingData}
        />
        <TextField
          label="Training data version"
          name="trainingDataVersion"
          defaultValue={values.trainingDataVersion}
          error={errors["trainingData.version"]}
        />
        <TextField label="Artifact URI" name="artifactUri" defaultValue={values.artifactUri} error={errors.artifactUri} />
        <TextAreaField
          label="Hyperparameters (JSON)"
          name="hyperparameters"
          defaultValue={values.hyperparameters}
          error={errors.hyperparameters}
          placeholder='{"max_depth": 6}'
        />
        <TextAreaField
          label="Metrics"
          name="metrics"
          defaultValue={values.metrics}
          error={errors.metrics}
          placeholder={"accuracy=0.91\nauc=0.88"}
          hint="One name=value per line."
        />
        <p className="muted">
          Lineage is complete when the code reference, training data reference, hyperparameters and at least one metric are given.
        </p>
        <SubmitButton>Register version</SubmitButton>
      </Form>
    </>
  );
}
