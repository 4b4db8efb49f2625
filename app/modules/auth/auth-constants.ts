/** An invitation to join an organisation: pending until the person accepts or declines, or an admin revokes it. */
export const INVITATION_STATUSES = ["pending", "accepted", "declined", "revoked"] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];
