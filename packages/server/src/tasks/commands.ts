import { sql } from 'kysely';
import type { Db, Trx } from '../db/database.js';
import type { AgentCommand, Message } from '../db/schema.js';

/** A command an agent on duty in a channel declares. */
export interface DeclaredCommand extends AgentCommand {
  channel_id: string;
  agent_id: string;
  handle: string;
  display_name: string;
}

const invocation = /^\/([a-z][a-z0-9_-]{0,31})(?:\s+([\s\S]*))?$/;

/** `/name args` at the very start of a body: the command's name and its arguments (trimmed; null when none). */
export function parseCommand(body: string): { name: string; args: string | null } | null {
  const match = invocation.exec(body.trimEnd());
  if (!match?.[1]) return null;
  const args = match[2]?.trim() ?? '';
  return { name: match[1], args: args === '' ? null : args };
}

/**
 * The commands declared by the agents on duty in these channels (the same
 * agents that take mentions: active, not observers, sponsor active, not an
 * integration), ordered by command name, then agent handle.
 */
export async function commandsOnDuty(trx: Db | Trx, channelIds: string[]): Promise<DeclaredCommand[]> {
  if (channelIds.length === 0) return [];
  const rows = await trx
    .selectFrom('channel_members')
    .innerJoin('members', 'members.id', 'channel_members.member_id')
    .innerJoin('agents', 'agents.member_id', 'members.id')
    .innerJoin('members as sponsors', 'sponsors.id', 'agents.sponsor_id')
    .select(['channel_members.channel_id', 'members.id as agent_id', 'members.handle', 'members.display_name', sql<AgentCommand[] | null>`agents.card->'commands'`.as('commands')])
    .where('channel_members.channel_id', 'in', channelIds)
    .where('channel_members.role', '<>', 'observer')
    .where('members.kind', '=', 'agent')
    .where('members.status', '=', 'active')
    .where('sponsors.status', '=', 'active')
    .where(sql<string | null>`agents.card->>'integration'`, 'is', null)
    .where(sql<number>`jsonb_array_length(coalesce(agents.card->'commands', '[]'::jsonb))`, '>', 0)
    .execute();
  return rows
    .flatMap(({ commands, ...agent }) => (commands ?? []).map((c) => ({ ...agent, name: c.name, description: c.description, ...(c.arg_hint !== undefined ? { arg_hint: c.arg_hint } : {}) })))
    .sort((x, y) => (x.name === y.name ? (x.handle < y.handle ? -1 : 1) : x.name < y.name ? -1 : 1));
}

/** A message that invokes a command, resolved to the one agent that declares it. */
export interface Invocation {
  message: Message;
  agent_id: string;
  command: string;
  args: string | null;
}

/**
 * The messages of a batch that invoke a command: a chat message agents may
 * see whose body starts with `/name`, where exactly one agent on duty in its
 * channel declares `name` (not its author). An unknown or ambiguous command is
 * just a message: no task, no error. A batch with no message starting with `/`
 * costs no query.
 */
export async function findInvocations(trx: Trx, messages: Message[]): Promise<Invocation[]> {
  const parsed = messages.flatMap((message) => {
    if (message.kind !== 'chat' || message.audience === 'humans') return [];
    const command = parseCommand(message.body);
    return command ? [{ message, ...command }] : [];
  });
  if (parsed.length === 0) return [];
  const declared = await commandsOnDuty(trx, [...new Set(parsed.map((p) => p.message.channel_id))]);
  return parsed.flatMap(({ message, name, args }) => {
    const agents = [...new Set(declared.filter((d) => d.channel_id === message.channel_id && d.name === name).map((d) => d.agent_id))];
    const [agentId] = agents;
    if (agents.length !== 1 || agentId === undefined || agentId === message.author_id) return [];
    return [{ message, agent_id: agentId, command: name, args }];
  });
}
