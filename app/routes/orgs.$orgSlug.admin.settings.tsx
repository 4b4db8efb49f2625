import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AdminTabs } from "~/components/admin-tabs";
import { ActionResult, SelectField, TextField } from "~/components/forms";
import { FrameworkChoiceSchema } from "~/modules/assessment/assessment-schemas";
import { getFrameworkChoice, updateFrameworkChoice } from "~/modules/assessment/framework-choice.server";
import { requireMember } from "~/modules/auth/membership.server";
import { getFramework, isBuiltInFrameworkVersion, listFrameworkVersions } from "~/modules/framework/framework";
import { getFairnessSettings, updateFairnessSettings } from "~/modules/governance/bias-audits.server";
import { FAIRNESS_PRESETS } from "~/modules/governance/fairness";
import { FAIRNESS_PRESET_IDS } from "~/modules/governance/governance-constants";
import { FairnessSettingsSchema } from "~/modules/governance/governance-schemas";
import { formatDateTime } from "~/utils/format";
import { timeZoneNames } from "~/modules/notifications/digest-schedule";
import { OrgTimeZoneSchema } from "~/modules/notifications/notification-schemas";
import { getOrgTimeZone, updateOrgTimeZone } from "~/modules/notifications/time-zone.server";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Settings · Admin" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, ["admin"]);
  const versions = listFrameworkVersions()
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => {
      const { levelCutoffs, name } = getFramework(version);
      const cutoffs = levelCutoffs.cutoffs.map((c) => c.minScore.toFixed(1)).join(", ");
      // Published uploads are offered beside the built-in versions, named so they are told apart.
      return { version, cutoffs, uploaded: isBuiltInFrameworkVersion(version) ? null : name };
    });
  const now = new Date();
  const { timeZone, nextDigestAt } = getOrgTimeZone(org.id, now);
  // Formatted here, not in the browser: its time zone data may differ from the server's, which sends the digests.
  const nextDigest = {
    due: nextDigestAt <= now,
    local: momentIn(nextDigestAt, timeZone),
    utc: timeZone === "UTC" ? null : formatDateTime(nextDigestAt.toISOString()),
  };
  return {
    org,
    settings: getFairnessSettings(org.id),
    framework: getFrameworkChoice(org.id),
    versions,
    timeZone,
    nextDigest,
    timeZones: timeZoneNames(),
  };
}

/** "Monday 7 December 2026 at 08:00" as the clock in `timeZone` reads it. */
function momentIn(moment: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, dateStyle: "full", timeStyle: "short", hourCycle: "h23" }).format(moment);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, ["admin"]);
  const fairnessIntent = intent(
    FairnessSettingsSchema,
    (input) => updateFairnessSettings(org.id, input, actor),
    "Thresholds saved; they apply to audits run from now on.",
  );
  return runIntentAction(await readFormData(request), {
    fairness: fairnessIntent,
    // Posts from before the settings page had two forms carry no intent.
    "": fairnessIntent,
    framework: intent(
      FrameworkChoiceSchema,
      (input) => updateFrameworkChoice(org.id, input, actor),
      (version) => `Saved: assessments started from now on use framework version ${version}; existing ones keep theirs.`,
    ),
    "time-zone": intent(
      OrgTimeZoneSchema,
      (input) => updateOrgTimeZone(org.id, input, actor),
      (timeZone) => `Saved: weekly digests now go out Monday 08:00 in ${timeZone}.`,
    ),
  });
}

export default function FairnessSettings() {
  const { org, settings, framework, versions, timeZone, nextDigest, timeZones } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  // Each form's errors show beside it (a post without intent is the fairness form's).
  const errorsOf = (name: string): Record<string, string | undefined> =>
    (result?.intent || "fairness") === name ? (result?.errors ?? {}) : {};
  // Each form's outcome shows above its own button, where the person pressed it (the page keeps its scroll).
  const resultOf = (name: string) => ((result?.intent || "fairness") === name ? result : undefined);
  const errors = errorsOf("fairness");
  const frameworkErrors = errorsOf("framework");
  const timeZoneErrors = errorsOf("time-zone");
  // A refused entry stays as typed (the page is rendered anew without JavaScript).
  const typedTimeZone = result?.intent === "time-zone" && !result.ok ? result.values?.timeZone : undefined;
  return (
    <>
      <h1>Administration</h1>
      <AdminTabs orgSlug={org.slug} />
      <h2 id="framework-version">Framework version for new assessments</h2>
      <Form method="post" noValidate className="card print-keep" style={{ maxWidth: 640 }} aria-labelledby="framework-version">
        <input type="hidden" name="intent" value="framework" />
        <SelectField
          label="Framework version"
          name="frameworkVersion"
          defaultValue={framework.frameworkVersion ?? "newest"}
          options={[
            { value: "newest", label: `Newest built-in (now version ${framework.newest})` },
            ...versions.map((v) => ({
              value: v.version,
              label: `Version ${v.version}${v.uploaded ? `: ${v.uploaded}, uploaded` : ""} (levels 2–5 start at ${v.cutoffs})`,
            })),
          ]}
          error={frameworkErrors.frameworkVersion}
          hint="Assessments already started keep the version they were opened with. A version named in an API request wins."
        />
        <p className="muted">
          New assessments now use version {framework.nextAssessmentVersion}. <Link to="/framework/scoring">How scores work</Link> explains
          each version’s level cut-offs.
        </p>
        <ActionResult result={resultOf("framework")} />
        <button type="submit">Save framework version</button>
      </Form>
      <h2 id="time-zone">Time zone</h2>
      <Form method="post" noValidate className="card print-keep" style={{ maxWidth: 640 }} aria-labelledby="time-zone">
        <input type="hidden" name="intent" value="time-zone" />
        <TextField
          key={timeZone}
          label="Organisation’s time zone"
          name="timeZone"
          list="time-zone-names"
          autoComplete="off"
          spellCheck={false}
          defaultValue={typedTimeZone ?? timeZone}
          error={timeZoneErrors.timeZone}
          hint="A time zone name such as Europe/Berlin, America/New_York or UTC: start typing to pick from the list. Weekly digests go out Monday 08:00 in this zone."
        />
        <datalist id="time-zone-names">
          {timeZones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <p className="muted" id="next-digest">
          {nextDigest.due
            ? `This week’s digest is due now (${nextDigest.local}, ${timeZone}): it goes out within a quarter of an hour.`
            : `The next weekly digest goes out on ${nextDigest.local}, ${timeZone} time${nextDigest.utc ? ` (${nextDigest.utc})` : ""}.`}
        </p>
        <ActionResult result={resultOf("time-zone")} />
        <button type="submit">Save time zone</button>
      </Form>
      <h2 id="fairness-thresholds">Fairness thresholds</h2>
      <Form method="post" noValidate className="card print-keep" style={{ maxWidth: 640 }} aria-labelledby="fairness-thresholds">
        <input type="hidden" name="intent" value="fairness" />
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
        <ActionResult result={resultOf("fairness")} />
        <button type="submit">Save thresholds</button>
      </Form>
    </>
  );
}
