import { ROLES, type Role } from "./roles";

/** The domain of an email address, lower case. */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1).toLowerCase();
}

/** Whether people with this email sign in through the provider serving `domains`. */
export function isSsoEmail(email: string, domains: readonly string[]): boolean {
  return email.includes("@") && domains.includes(emailDomain(email));
}

/** The groups a claim lists: an array of strings, or one string; anything else lists none. */
export function groupsOf(claim: unknown): string[] {
  if (typeof claim === "string") return [claim];
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === "string");
  return [];
}

/**
 * The role the provider's groups give: among the mapped groups, the role with
 * the most rights (ROLES is ordered from most to fewest); none mapped: the
 * default role, or null (no membership).
 */
export function roleForGroups(groups: readonly string[], roleMap: Readonly<Record<string, Role>>, defaultRole: Role | null): Role | null {
  const mapped = new Set(groups.flatMap((group) => (Object.hasOwn(roleMap, group) ? [roleMap[group]!] : [])));
  return ROLES.find((role) => mapped.has(role)) ?? defaultRole;
}
