import { readersOf } from '../channels/readers.js';
import type { AppContext } from '../context.js';
import type { Audience, ProvenanceRef } from '../db/schema.js';
import { AppError } from '../http/errors.js';
import { visibleMessages } from '../messages/history.js';
import { flowAllowed } from '../policy/audience.js';
import { canSee, type ChannelAccess } from '../policy/channel.js';
import { deny, enforce } from '../policy/decision.js';
import { channelAccessOf } from './access.js';

/** A source as the client names it; its channel is found by the server. */
export interface SourceInput {
  type: 'message' | 'thread' | 'doc';
  id: string;
}

const sourceNotFound = (s: SourceInput) => new AppError(404, 'source_not_found', `No such ${s.type} to draw on: ${s.id}.`, { source: s });

/**
 * Checks an entry's provenance before it is stored (DESIGN §2.2, §2.3): every
 * source must be something its author may read now (the channel boundary, a
 * task token's included, and the channel's read rules), and read by everyone
 * who reads the origin channel — for people and agents alike, since the entry
 * will be served to that channel's agents. Unknown and unreadable sources are
 * `404 source_not_found`; a source read by fewer people is `403 audience_violation`.
 * Channel docs are not resolvable on this branch: they are unknown.
 *
 * Returns the sources with their channels, and `humans` when any of them
 * (a thread's replies included) is kept from agents.
 */
export async function resolveProvenance(ctx: AppContext, origin: ChannelAccess, inputs: readonly SourceInput[]): Promise<{ sources: ProvenanceRef[]; audience: Audience }> {
  const ids = [...new Set(inputs.filter((s) => s.type !== 'doc').map((s) => s.id))];
  const messages = ids.length
    ? await ctx.db.selectFrom('messages').select(['id', 'channel_id', 'thread_root_id']).where('id', 'in', ids).where('org_id', '=', origin.channel.org_id).execute()
    : [];
  const accessByChannel = new Map<string, ChannelAccess>();
  const sources: ProvenanceRef[] = [];
  let audience: Audience = 'all';
  for (const input of inputs) {
    const message = messages.find((m) => m.id === input.id);
    if (input.type === 'doc' || !message || (input.type === 'thread' && message.thread_root_id !== null)) throw sourceNotFound(input);
    let access = accessByChannel.get(message.channel_id);
    if (!access) {
      access = message.channel_id === origin.channel.id ? origin : await channelAccessOf(ctx, origin.actor, message.channel_id);
      accessByChannel.set(message.channel_id, access);
    }
    if (!canSee(access).allowed) throw sourceNotFound(input);
    const visible = await visibleMessages(ctx, access).select('audience').where('id', '=', message.id).where('deleted_at', 'is', null).executeTakeFirst();
    if (!visible) throw sourceNotFound(input);
    const keptFromAgents =
      input.type === 'thread'
        ? await ctx.db
            .selectFrom('messages')
            .select('id')
            .where((eb) => eb.or([eb('id', '=', message.id), eb('thread_root_id', '=', message.id)]))
            .where('audience', '=', 'humans')
            .limit(1)
            .executeTakeFirst()
        : visible.audience === 'humans';
    if (keptFromAgents) audience = 'humans';
    if (!sources.some((s) => s.type === input.type && s.id === input.id)) sources.push({ type: input.type, id: input.id, channel_id: message.channel_id });
  }

  const readers = await readersOf(ctx, [origin.channel.id, ...sources.map((s) => s.channel_id)]);
  const target = readers.get(origin.channel.id) ?? new Set<string>();
  for (const s of sources) {
    if (!flowAllowed(readers.get(s.channel_id) ?? new Set(), target)) {
      enforce(deny(403, 'audience_violation', `This entry draws on ${s.type} ${s.id}, which not everyone who reads this channel may read.`, { source: { type: s.type, id: s.id } }));
    }
  }
  return { sources, audience };
}
