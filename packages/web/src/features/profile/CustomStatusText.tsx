import type { MemberView } from '@chorus/sdk';

/** A member's custom status beside their name ("🌴 On leave"), or nothing. The server hides expired ones. */
export function CustomStatusText({ member }: { member: Pick<MemberView, 'custom_status'> }) {
  const status = member.custom_status;
  if (!status) return null;
  const until = status.expires_at ? `, until ${new Date(status.expires_at).toLocaleString()}` : '';
  return <span className="custom-status" title={`${status.text}${until}`}>{status.emoji} {status.text}</span>;
}
