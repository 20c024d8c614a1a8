import { appendAudit, type AuditEntry } from '../audit/chain.js';
import { denialRecorded } from '../audit/denials.js';
import { AppError } from '../http/errors.js';
import { readersOf } from '../channels/readers.js';
import type { AppContext } from '../context.js';
import type { Channel, ChannelMember, Message, SourceRef } from '../db/schema.js';
import type { Mutation } from '../events/log.js';
import { isAgent, type Actor } from '../policy/actor.js';
import { canCite, type FoundSource, type Readers } from '../policy/audience.js';
import { canSee, type ChannelAccess } from '../policy/channel.js';
import { canReadDocs } from '../policy/doc.js';
import { visibleMessages } from './history.js';
import { experienceSources } from '../experience/citations.js';

/**
 * The sources an agent's post declares (DESIGN §2.2), checked before the send
 * joins the queue: a violating post is refused whole — nothing stored, nothing
 * delivered — and the attempt is audited; an allowed one is audited with the
 * message, in the transaction that stores it.
 */

/** At most this many sources per message. */
export const maxSources = 50;

const refKey = (s: SourceRef) => `${s.type}:${s.id}`;

/** The same source named twice counts once; the order of first mention is kept. */
export function distinctSources(sources: readonly SourceRef[]): SourceRef[] {
  const seen = new Map<string, SourceRef>();
  for (const s of sources) if (!seen.has(refKey(s))) seen.set(refKey(s), { type: s.type, id: s.id });
  return [...seen.values()];
}

/**
 * Refuses an agent's post (`403 audience_violation`, naming the source) when a
 * source (a message — a pin is its message — or a channel doc) is unknown, is something the agent could not read itself, or is read
 * by fewer people than the channel it is posted in. The refusal is audited in
 * its own transaction, since the post's never begins.
 */
export async function checkSources(ctx: AppContext, a: ChannelAccess, sources: readonly SourceRef[]): Promise<void> {
  // People's posts are not blocked (canCite allows them): spare the reads.
  if (sources.length === 0 || !isAgent(a.actor)) return;
  const { found, targetReaders } = await findSources(ctx, a, sources);
  const decision = canCite(a.actor, found, targetReaders);
  if (decision.allowed) return;
  await ctx.db.transaction().execute((trx) =>
    appendAudit(trx, a.channel.org_id, [
      {
        actorId: a.actor.member.id,
        actorKind: 'agent',
        action: 'agent.message.write',
        targetType: 'channel',
        targetId: a.channel.id,
        channelId: a.channel.id,
        items: sources.map((s) => s.id),
        decision: 'deny',
        reason: decision.code,
        details: { ...(decision.details as Record<string, unknown>), ...taskOf(a.actor) },
      },
    ]),
  );
  throw denialRecorded(new AppError(decision.status, decision.code, decision.message, decision.details));
}

/**
 * Each source as the server finds it now: messages, channel docs and
 * experience entries of the org, whether the agent could read each itself —
 * with its own memberships, not a task token's boundary, since context
 * assembly may hand it items from elsewhere that pass the rule — and who reads
 * each source's channel and the target channel. A doc's readers are its
 * channel's readers; an entry's are its origin channel's (or the org's).
 */
async function findSources(ctx: AppContext, a: ChannelAccess, refs: readonly SourceRef[]): Promise<{ found: FoundSource[]; targetReaders: Readers }> {
  const idsOf = (type: SourceRef['type']) => refs.filter((r) => r.type === type).map((r) => r.id);
  const [messageIds, docIds] = [idsOf('message'), idsOf('doc')];
  const [messages, docs] = await Promise.all([
    messageIds.length ? ctx.db.selectFrom('messages').select(['id', 'channel_id']).where('id', 'in', messageIds).where('org_id', '=', a.channel.org_id).execute() : [],
    docIds.length ? ctx.db.selectFrom('channel_docs').select(['id', 'channel_id']).where('id', 'in', docIds).where('org_id', '=', a.channel.org_id).execute() : [],
  ]);
  const channelIds = [...new Set([...messages, ...docs].map((m) => m.channel_id))];
  const [channels, memberships, readers] = await Promise.all([
    channelIds.length ? ctx.db.selectFrom('channels').selectAll().where('id', 'in', channelIds).execute() : [],
    channelIds.length
      ? ctx.db.selectFrom('channel_members').selectAll().where('member_id', '=', a.actor.member.id).where('channel_id', 'in', channelIds).execute()
      : [],
    readersOf(ctx, [a.channel.id, ...channelIds]),
  ]);
  const readable = await readableByAgent(ctx, a.actor, messages, channels, memberships);
  for (const doc of docs) if (docReadableByAgent(a.actor, doc, channels, memberships)) readable.add(doc.id);
  const entries = await experienceSources(ctx, a, refs);
  const found = refs.map((ref): FoundSource => {
    if (ref.type === 'experience') return entries.get(ref.id) ?? { ref, found: false };
    const source = ref.type === 'message' ? messages.find((m) => m.id === ref.id) : ref.type === 'doc' ? docs.find((d) => d.id === ref.id) : undefined;
    const sourceReaders = source && readers.get(source.channel_id);
    if (!source || !sourceReaders) return { ref, found: false };
    return { ref, found: true, readableByAuthor: readable.has(source.id), readers: sourceReaders };
  });
  return { found, targetReaders: readers.get(a.channel.id) ?? new Set() };
}

/** A doc follows its channel's readers: the agent could read it where it may read that channel (its own memberships). */
function docReadableByAgent(agent: Actor, doc: { channel_id: string }, channels: readonly Channel[], memberships: readonly ChannelMember[]): boolean {
  const channel = channels.find((c) => c.id === doc.channel_id);
  if (!channel) return false;
  const self: Actor = { member: agent.member, scopes: agent.scopes };
  return canReadDocs({ actor: self, channel, membership: memberships.find((ms) => ms.channel_id === channel.id) ?? null }).allowed;
}

/**
 * The messages the agent could read itself, by the rules every read applies
 * (membership, history floor, the channel's read rules), with its own
 * memberships rather than a task token's boundary: context assembly may hand
 * it items from elsewhere that pass the audience rule.
 */
async function readableByAgent(
  ctx: AppContext,
  agent: Actor,
  messages: readonly Pick<Message, 'id' | 'channel_id'>[],
  channels: readonly Channel[],
  memberships: readonly ChannelMember[],
): Promise<Set<string>> {
  const self: Actor = { member: agent.member, scopes: agent.scopes };
  const readable = new Set<string>();
  for (const channel of channels) {
    const access = { actor: self, channel, membership: memberships.find((ms) => ms.channel_id === channel.id) ?? null };
    const ids = messages.filter((m) => m.channel_id === channel.id).map((m) => m.id);
    if (ids.length === 0 || !canSee(access).allowed) continue; // a channel of cited docs only
    const rows = await visibleMessages(ctx, access).where('id', 'in', ids).execute();
    for (const row of rows) readable.add(row.id);
  }
  return readable;
}

const taskOf = (actor: Actor) => (actor.boundary ? { task_id: actor.boundary.taskId } : {});

/**
 * Puts every message an agent wrote in this mutation on the record (DESIGN
 * §2.4): the message and the sources it drew on. Orgs' chains are appended in
 * id order, after the channels the send locked.
 */
export async function auditAgentWrites(m: Mutation, written: readonly { message: Message; author: Actor }[]): Promise<void> {
  const byOrg = new Map<string, AuditEntry[]>();
  for (const { message, author } of written) {
    if (!isAgent(author)) continue;
    const entries = byOrg.get(message.org_id) ?? [];
    entries.push({
      actorId: author.member.id,
      actorKind: 'agent',
      action: 'agent.message.write',
      targetType: 'message',
      targetId: message.id,
      channelId: message.channel_id,
      items: [message.id, ...message.sources.map((s) => s.id)],
      decision: 'allow',
      details: message.sources.length > 0 || author.boundary ? { ...(message.sources.length > 0 ? { sources: message.sources } : {}), ...taskOf(author) } : null,
    });
    byOrg.set(message.org_id, entries);
  }
  for (const orgId of [...byOrg.keys()].sort()) await appendAudit(m.trx, orgId, byOrg.get(orgId) ?? []);
}
