import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useParams } from "@remix-run/react";
import { ModelForm } from "~/components/model-form";
import { requireMember } from "~/modules/auth/membership.server";
import { REGISTRY_WRITERS } from "~/modules/auth/roles";
import { createModel } from "~/modules/registry/registry.server";
import { ModelCreateFormSchema } from "~/modules/registry/registry-schemas";
import { runFormActionOnce } from "~/modules/http/submit-once.server";

export const meta: MetaFunction = () => [{ title: "Register a model" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  return null;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor, user } = await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  return runFormActionOnce(
    request,
    user.id,
    ModelCreateFormSchema,
    (input) => createModel(org.id, input, actor, "ui"),
    (model) => redirect(`/orgs/${org.slug}/models/${model.slug}`),
  );
}

export default function NewModel() {
  const result = useActionData<typeof action>();
  const { orgSlug } = useParams();
  return (
    <>
      <h1>Register a model</h1>
      <ModelForm
        values={result?.values ?? {}}
        errors={result?.errors}
        withSlug
        submitLabel="Register model"
        draftKey={`${orgSlug}:new-model`}
      />
    </>
  );
}
