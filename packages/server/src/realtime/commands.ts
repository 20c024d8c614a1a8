import type { ClientFrame } from '@chorus/protocol/frames';
import { recordAgentSocketDenial } from '../audit/denials.js';
import { accessChannel } from '../channels/access.js';
import { markRead } from '../channels/membership.js';
import { AppError } from '../http/errors.js';
import { canSee } from '../policy/channel.js';
import { postMessageAs } from '../messages/service.js';
import type { Connection } from './connection.js';
import type { Gateway } from './gateway.js';

/** Everything a ready connection may ask for, through the same services and policy as REST. */
export async function handleCommand(gateway: Gateway, c: Connection, frame: Exclude<ClientFrame, { type: 'hello' }>): Promise<void> {
  const actor = c.actor;
  if (!actor) return;
  switch (frame.type) {
    case 'ping':
      c.send({ type: 'pong', ...(frame.nonce !== undefined ? { nonce: frame.nonce } : {}) });
      return;
    case 'subscribe':
      if (c.subscriptions.has(frame.channel_id)) return;
      await gateway.followIfAllowed(c, frame.channel_id, frame.after_seq);
      return;
    case 'unsubscribe':
      gateway.unsubscribe(c, frame.channel_id, 'requested');
      return;
    case 'typing':
      if (!c.subscriptions.has(frame.channel_id) || !gateway.typingAllowed(actor.member.id, frame.channel_id)) return;
      gateway.ctx.bus.signal({ kind: 'typing', org_id: actor.member.org_id, channel_id: frame.channel_id, member_id: actor.member.id, thread_root_id: frame.thread_root_id ?? null });
      return;
    case 'presence': {
      const changed = await gateway.ctx.presence.setStatus(actor.member.id, frame.status);
      if (changed) gateway.ctx.bus.signal({ kind: 'presence', org_id: actor.member.org_id, ...changed });
      return;
    }
    case 'read':
      try {
        const a = await accessChannel(gateway.ctx, actor, frame.channel_id, canSee);
        const seq = await markRead(gateway.ctx, a, frame.seq);
        gateway.ctx.bus.signal({ kind: 'read', member_id: actor.member.id, channel_id: frame.channel_id, seq });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        await recordAgentSocketDenial(gateway.ctx, actor, 'read', frame.channel_id, error);
        c.send({ type: 'error', error: { code: error.code, message: error.message } });
      }
      return;
    case 'send':
      try {
        const { message, duplicate } = await postMessageAs(gateway.ctx, actor, frame.channel_id, {
          body: frame.body,
          thread_root_id: frame.thread_root_id,
          client_msg_id: frame.client_msg_id,
          kind: frame.kind,
          audience: frame.audience,
          sources: frame.sources,
        });
        c.send({ type: 'ack', request_id: frame.request_id, message, duplicate });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        await recordAgentSocketDenial(gateway.ctx, actor, 'send', frame.channel_id, error);
        c.send({ type: 'error', request_id: frame.request_id, error: { code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) } });
      }
      return;
  }
}
