/**
 * Audit events as people read them: "Roadmap item updated", not
 * `roadmap_item.updated`. The audit log, the history sections and the
 * dashboard's recent activity use these; the CSV export and the API keep the
 * raw action names (specialists filter on them).
 */

export const EVENT_LABELS: Readonly<Record<string, string>> = {
  "organization.created": "Organisation created",
  "settings.fairness_updated": "Fairness thresholds changed",
  "settings.framework_version_updated": "Framework version for new assessments changed",
  "settings.time_zone_updated": "Organisation's time zone changed",
  "framework_version.uploaded": "Framework version uploaded as a draft",
  "framework_version.replaced": "Framework version draft replaced",
  "framework_version.deleted": "Framework version draft deleted",
  "framework_version.published": "Framework version published",
  "member.created": "Member account created",
  "member.added": "Member added",
  "member.role_changed": "Member's role changed",
  "member.removed": "Member removed",
  "invitation.created": "Person invited",
  "invitation.revoked": "Invitation revoked",
  "invitation.accepted": "Invitation accepted: member joined",
  "invitation.declined": "Invitation declined",
  "user.deactivated": "Account deactivated",
  "auth.login_failed": "Sign-in failed",
  "auth.login_succeeded": "Signed in",
  "auth.logout": "Signed out",
  "auth.sso_login_succeeded": "Signed in through single sign-on",
  "auth.sso_login_refused": "Single sign-on refused",
  "user.created_by_sso": "Account created on a first single sign-on",
  "user.identity_linked": "Single sign-on identity linked to the account",
  "sso.provider_updated": "Single sign-on settings changed",
  "sso.domain_claimed": "Email domain claimed for single sign-on",
  "sso.domain_withdrawn": "Email domain claim withdrawn",
  "sso.domain_approved": "Email domain claim approved",
  "sso.domain_rejected": "Email domain claim rejected",
  "sso.domain_revoked": "Email domain approval revoked",
  "auth.logout_everywhere": "Signed out everywhere",
  "auth.session_ended": "Session ended",
  "user.sessions_ended": "Member's sessions ended",
  "user.renamed": "Name changed",
  "user.password_changed": "Password changed",
  "user.password_reset": "Password reset through an emailed link",
  "user.notifications_changed": "Notification choices changed",
  "webhook.created": "Webhook registered",
  "webhook.deleted": "Webhook removed",
  "webhook.enabled": "Webhook turned back on",
  "webhook.test_sent": "Webhook test event sent",
  "webhook.disabled": "Webhook disabled after a day of failures",
  "api_token.created": "API token created",
  "api_token.revoked": "API token revoked",
  "model.created": "Model registered",
  "model.followed": "Model followed",
  "model.unfollowed": "Model no longer followed",
  "model.updated": "Model details changed",
  "model_version.created": "Version registered",
  "model_version.stage_changed": "Version moved to another stage",
  "objective.set": "Service objective set",
  "objective.removed": "Service objective removed",
  "monitoring.recorded": "Monitoring snapshot recorded",
  "incident.created": "Incident reported",
  "incident.updated": "Incident updated",
  "model_card.created": "Model card started",
  "model_card.updated": "Model card edited",
  "model_card.submitted": "Model card submitted for review",
  "model_card.approved": "Model card approved",
  "model_card.changes_requested": "Changes requested on model card",
  "model_card.commented": "Model card commented",
  "bias_audit.created": "Bias audit run",
  "bias_audit.accepted": "Bias audit accepted",
  "bias_audit.rejected": "Bias audit rejected",
  "approval_request.opened": "Promotion approval requested",
  "approval_request.approved_by": "Promotion approved by a reviewer",
  "approval_request.rejected_by": "Promotion rejected by a reviewer",
  "approval_request.approved": "Promotion approved",
  "approval_request.rejected": "Promotion rejected",
  "approval_request.cancelled": "Promotion request cancelled",
  "approval_request.roles_added": "Approvals added to a promotion request by a new policy",
  "approval_policy.changed": "Approval policy changed",
  "approval_policy.proposed": "Approval policy proposed",
  "approval_policy.confirmed": "Approval policy confirmed",
  "approval_policy.withdrawn": "Approval policy proposal withdrawn",
  "approval_policy.declined": "Approval policy proposal declined",
  "model_version.promoted_by_policy": "Version promoted by approval policy",
  "assessment.created": "Assessment opened",
  "assessment.responses_saved": "Assessment answers saved",
  "assessment.evidence_added": "Assessment evidence added",
  "assessment.submitted": "Assessment submitted for review",
  "assessment.finalized": "Assessment finalised",
  "assessment.withdrawn": "Assessment withdrawn",
  "roadmap.generated": "Roadmap generated",
  "roadmap_item.updated": "Roadmap item updated",
  "roadmap_item.assigned": "Roadmap item assigned",
  "roadmap_item.commented": "Roadmap item commented",
  "roadmap_criterion.ticked": "Success criterion ticked",
};

const ENTITY_LABELS: Readonly<Record<string, string>> = {
  organization: "Organisation",
  user: "Account",
  invitation: "Invitation",
  api_token: "API token",
  webhook: "Webhook",
  model: "Model",
  model_version: "Version",
  model_card: "Model card",
  monitoring_snapshot: "Monitoring snapshot",
  incident: "Incident",
  bias_audit: "Bias audit",
  approval_request: "Approval request",
  approval_policy: "Approval policy",
  assessment: "Assessment",
  roadmap: "Roadmap",
  roadmap_item: "Roadmap item",
  roadmap_criterion: "Success criterion",
};

/** `roadmap_item` → "Roadmap item": the fallback for names without a label of their own. */
function sentenceCase(identifier: string): string {
  const words = identifier.replace(/[._]+/g, " ").trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : identifier;
}

/** The readable label of an action; an action without one reads as words ("thing.done" → "Thing done"). */
export function eventLabel(action: string): string {
  return EVENT_LABELS[action] ?? sentenceCase(action);
}

/** The readable name of an entity type ("roadmap_item" → "Roadmap item"). */
export function entityTypeLabel(entityType: string): string {
  return ENTITY_LABELS[entityType] ?? sentenceCase(entityType);
}

/** A short text for a value in a one-line summary. */
function shortValue(value: unknown): string | null {
  if (value == null || value === "") return null;
  if (typeof value === "string") return value.length > 60 ? `${value.slice(0, 59)}…` : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

const SUMMARY_KEYS = [
  "name",
  "title",
  "version",
  "period",
  "status",
  "stage",
  "to",
  "decision",
  "role",
  "email",
  "body",
  "comment",
  "reason",
  "timeZone",
] as const;

/**
 * One line about what changed, from an event's payload ({before, after, details}):
 * "status: todo → done", "name: Churn model". Fields that are not plain values are
 * left for the detail view.
 */
export function eventSummary(payload: { before?: unknown; after?: unknown; details?: unknown }): string {
  const before = isRecord(payload.before) ? payload.before : {};
  const after = isRecord(payload.after) ? payload.after : isRecord(payload.details) ? payload.details : {};
  const parts: string[] = [];
  for (const key of SUMMARY_KEYS) {
    const now = shortValue(after[key]);
    const was = shortValue(before[key]);
    if (now === null && was === null) continue;
    if (was !== null && now !== null && was !== now) parts.push(`${key}: ${was} → ${now}`);
    else parts.push(`${key}: ${now ?? was}`);
    if (parts.length === 3) break;
  }
  return parts.join(" · ");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
