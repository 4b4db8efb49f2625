/** Days ahead that count as "due soon" on the dashboard. */
export const DUE_SOON_DAYS = 14;

/** The last day that counts as due soon: `days` after `today` (both YYYY-MM-DD), inclusive. */
export function dueSoonHorizon(today: string, days = DUE_SOON_DAYS): string {
  return new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
