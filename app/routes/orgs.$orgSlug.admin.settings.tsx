import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AdminTabs } from "~/components/admin-tabs";
import { ActionResult, SelectField, TextField } from "~/components/forms";
import { requireMember } from "~/modules/auth/membership.server";
import { getFairnessSettings, updateFairnessSettings } from "~/modules/governance/bias-audits.server";
import { FAIRNESS_PRESETS } from "~/modules/governance/fairness";
import { FAIRNESS_PRESET_IDS } from "~/modules/governance/governance-constants";
import { FairnessSettingsSchema } from "~/modules/governance/governance-schemas";
import { readFormData, runFormAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Fairness thresholds · Admin" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, ["admin"]);
  return { org, settings: getFairnessSettings(org.id) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, ["admin"]);
  return runFormAction(
    await readFormData(request),
    FairnessSettingsSchema,
    (input) => updateFairnessSettings(org.id, input, actor),
    "Thresholds saved; they apply to audits run from now on.",
  );
}

export default function FairnessSettings() {
  const { org, settings } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  return (
    <>
      <h1>Administration</h1>
      <AdminTabs orgSlug={org.slug} />
      <ActionResult result={result} />
      <Form method="post" noValidate className="card" style={{ maxWidth: 640 }}>
        <TextField
          label="Minimum ratio (min ÷ max across groups)"
          name="fairnessRatioMin"
          inputMode="decimal"
          defaultValue={String(settings.fairnessRatioMin)}
          error={errors.fairnessRatioMin}
          hint="0.8 is the four-fifths rule."
        />
        <TextField
          label="Maximum difference (max − min across groups)"
          name="fairnessDifferenceMax"
          inputMode="decimal"
          defaultValue={String(settings.fairnessDifferenceMax)}
          error={errors.fairnessDifferenceMax}
        />
        <SelectField
          label="Default rule set for new audits"
          name="fairnessPreset"
          defaultValue={settings.fairnessPreset}
          options={FAIRNESS_PRESET_IDS.map((id) => ({ value: id, label: FAIRNESS_PRESETS[id].label }))}
          error={errors.fairnessPreset}
        />
        <ul className="muted">
          {FAIRNESS_PRESET_IDS.map((id) => (
            <li key={id}>
              <strong>{FAIRNESS_PRESETS[id].label}:</strong> {FAIRNESS_PRESETS[id].description}
            </li>
          ))}
        </ul>
        <button type="submit">Save thresholds</button>
      </Form>
    </>
  );
}
