/** An uploaded framework version: checked and previewed as a draft, then published (and immutable). */
export const FRAMEWORK_VERSION_STATUSES = ["draft", "published"] as const;
export type FrameworkVersionStatus = (typeof FRAMEWORK_VERSION_STATUSES)[number];
