/** An invitation to join an organisation: pending until the person accepts or declines, or an admin revokes it. */
export const INVITATION_STATUSES = ["pending", "accepted", "declined", "revoked"] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** An organisation's claim to an email domain for its single sign-on: pending until a site administrator decides. */
export const DOMAIN_CLAIM_STATUSES = ["pending", "approved", "rejected", "revoked"] as const;
export type DomainClaimStatus = (typeof DOMAIN_CLAIM_STATUSES)[number];
