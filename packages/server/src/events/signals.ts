import type { PresenceStatus } from '@chorus/protocol/frames';
import type { MemberView, NotificationSettings } from '@chorus/protocol/views';

/**
 * Ephemeral notices between nodes: not part of any channel's log, never
 * replayed. Typing and presence are best-effort; `access` tells every node to
 * drop the connections of a member who lost access (deactivated, suspended,
 * token or session revoked).
 */
export type Signal =
  | { kind: 'typing'; org_id: string; channel_id: string; member_id: string; thread_root_id: string | null }
  /** A chunk appended to a streamed reply, the `index`-th (the opening body is 1). */
  | { kind: 'stream'; org_id: string; channel_id: string; message_id: string; index: number; text: string }
  | { kind: 'presence'; org_id: string; member_id: string; status: PresenceStatus; last_seen_at: string | null }
  | { kind: 'read'; member_id: string; channel_id: string; seq: number }
  /** A member's profile changed: every connection of the org refreshes it (profiles/service.ts). */
  | { kind: 'member'; org_id: string; member: MemberView }
  /** A person's notification preferences changed: their own connections follow (notifications/service.ts). */
  | { kind: 'notifications'; member_id: string; settings: NotificationSettings }
  /** A built-in agent was added: agent hosts look for agents to start (agent-host/host.ts). */
  | { kind: 'builtin_agents' }
  | {
      kind: 'access';
      member_ids: string[];
      reason: 'deactivated' | 'suspended' | 'retired' | 'token_revoked' | 'session_revoked';
      /** Only the connections opened with this session or token; all of the members' connections when absent. */
      credential_id?: string;
    };
