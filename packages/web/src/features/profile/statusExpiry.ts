/** The expiry choices of the status form, as Slack offers them. */
export const expiryChoices = [
  { id: 'never', label: "Don't clear" },
  { id: '30m', label: '30 minutes' },
  { id: '1h', label: '1 hour' },
  { id: 'today', label: 'Today' },
  { id: 'week', label: 'This week' },
] as const;
export type ExpiryChoice = (typeof expiryChoices)[number]['id'];

/** When a status chosen at `now` with this choice clears; null: never. "Today" ends at local midnight, "this week" on Sunday night. */
export function expiryOf(choice: ExpiryChoice, now: Date): string | null {
  const at = new Date(now);
  switch (choice) {
    case 'never':
      return null;
    case '30m':
      return new Date(now.getTime() + 30 * 60_000).toISOString();
    case '1h':
      return new Date(now.getTime() + 60 * 60_000).toISOString();
    case 'today':
      at.setHours(24, 0, 0, 0);
      return at.toISOString();
    case 'week':
      at.setDate(at.getDate() + (7 - at.getDay()) % 7 + 1);
      at.setHours(0, 0, 0, 0);
      return at.toISOString();
  }
}
