import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ModelForm } from "~/components/model-form";
import { requireMember } from "~/modules/auth/membership.server";
import { REGISTRY_WRITERS } from "~/modules/auth/roles";
import { getModel, updateModel } from "~/modules/registry/registry.server";
import { ModelUpdateFormSchema } from "~/modules/registry/registry-schemas";
import { notFound } from "~/utils/http";
import { readFormData, runFormAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Edit model" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  const model = getModel(org.id, params.modelSlug ?? "");
  if (!model) throw notFound("Model not found");
  return { org, model };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  const slug = params.modelSlug ?? "";
  return runFormAction(
    await readFormData(request),
    ModelUpdateFormSchema,
    (input) => updateModel(org.id, slug, input, actor),
    () => redirect(`/orgs/${org.slug}/models/${slug}`),
  );
}

export default function EditModel() {
  const { org, model } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const values = result?.values ?? { ...model, tags: model.tags.join(", "), ownerEmail: model.owner?.email ?? "" };
  return (
    <>
      <p>
        <Link to={`/orgs/${org.slug}/models/${model.slug}`}>← {model.name}</Link>
      </p>
      <h1>Edit {model.name}</h1>
      <ModelForm values={values} errors={result?.errors} withSlug={false} submitLabel="Save changes" />
    </>
  );
}
