/** What an API token may do; later features add scopes here. */
export const API_SCOPES = [
  "registry:read",
  "registry:write",
  "registry:promote",
  "governance:read",
  "governance:write",
  "audit:read",
  "assessment:read",
  "assessment:write",
  "roadmap:read",
  "roadmap:write",
  "webhooks:read",
  "webhooks:write",
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<ApiScope, string> = {
  "registry:read": "Read models, versions, incidents, monitoring and registry metrics",
  "registry:write": "Register models and versions, move stages (not to production), report incidents and monitoring",
  "registry:promote":
    "Ask the transitions endpoint for production (refused with the gate checks unless approved, or unless the tier's approval policy is automatic and every gate passes)",
  "governance:read": "Read model cards, bias audits, approval requests and approval policies",
  "governance:write": "Submit bias audits and open approval requests (people approve in the portal)",
  "audit:read": "Verify and read the audit trail",
  "assessment:read": "Read assessments and the framework",
  "assessment:write": "Create assessments, record responses, finalise",
  "roadmap:read": "Read roadmaps",
  "roadmap:write": "Generate roadmaps and update items",
  "webhooks:read": "List the organisation's webhooks and their delivery logs (never their secrets)",
  "webhooks:write": "Register and delete webhooks (an event also needs its domain's read scope, e.g. governance:read for approvals)",
};
