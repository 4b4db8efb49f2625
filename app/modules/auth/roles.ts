export const ROLES = ["admin", "leadership", "ethics", "team", "auditor"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Administrator",
  leadership: "Leadership",
  ethics: "Ethics committee",
  team: "ML team",
  auditor: "Auditor (read-only)",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  admin: "Manages members, roles and API tokens; can do everything leadership can.",
  leadership: "Runs quarterly assessments, generates roadmaps and approves high-risk promotions.",
  ethics: "Reviews model cards, signs off bias audits and approves promotions.",
  team: "Registers models and versions, writes model cards and works roadmap items.",
  auditor: "Reads everything, changes nothing; verifies the audit trail.",
};

/** Roles allowed to change things; the auditor is read-only everywhere. */
export const WRITER_ROLES: readonly Role[] = ["admin", "leadership", "ethics", "team"];

/** Who may register and change models, versions, incidents and objectives in the UI. */
export const REGISTRY_WRITERS: readonly Role[] = ["admin", "leadership", "team"];
/** Who may promote a version to production in the UI. */
export const PROMOTERS: readonly Role[] = ["admin", "leadership"];

export const hasRole = (role: Role, allowed: readonly Role[]) => allowed.includes(role);
