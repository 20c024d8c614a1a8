import type { AppContext } from '../context.js';
import type { SourceRef } from '../db/schema.js';
import type { FoundSource } from '../policy/audience.js';
import type { ChannelAccess } from '../policy/channel.js';
import { readsEntry } from '../policy/experience.js';
import { entryAccessOf, entryReaders } from './access.js';

/**
 * Experience entries an agent's post names as `sources` (messages/sources.ts):
 * whether the agent reads each itself — with its own memberships, as for
 * messages, since the context bundle may serve it org entries — and who reads
 * each entry, for the audience rule. Entries of other orgs are unknown.
 */
export async function experienceSources(ctx: AppContext, a: ChannelAccess, refs: readonly SourceRef[]): Promise<Map<string, FoundSource>> {
  const ids = refs.filter((r) => r.type === 'experience').map((r) => r.id);
  const found = new Map<string, FoundSource>();
  if (ids.length === 0) return found;
  const rows = await ctx.db.selectFrom('experience_entries').selectAll().where('id', 'in', ids).where('org_id', '=', a.channel.org_id).execute();
  const self = { member: a.actor.member, scopes: a.actor.scopes };
  for (const entry of rows) {
    const access = await entryAccessOf(ctx, self, entry);
    found.set(entry.id, { ref: { type: 'experience', id: entry.id }, found: true, readableByAuthor: readsEntry(access), readers: await entryReaders(ctx, entry) });
  }
  return found;
}
