import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * What an archive holds (docs/BACKUP.md): one entity per table, in the order
 * an import inserts them, each with the rows of the archive's scope.
 *
 * To carry a new table (files, say): add an entry here in its place in the
 * order (after what it references), with `where` for both scopes and an `order`
 * that makes the file deterministic, and remove the table from `notCarried`.
 * Its blobs: `blobs: (row) => [row.storage_key]`; export and import then copy them through
 * the `BlobStore` they are given (archive.ts writes them under `blobs/`, with checksums).
 */

/** An org, or one channel of it (with the org's people, whom its rows reference). */
export type Scope = { kind: 'org'; orgId: string } | { kind: 'channel'; orgId: string; channelId: string };

export interface Entity {
  table: keyof Database;
  /** The table's rows in the scope, as a condition on the alias `t`. */
  where: (s: Scope) => RawBuilder<unknown>;
  /** A total order of the rows, so that two exports of the same data are byte for byte the same. */
  order: string[];
  /**
   * Columns that reference rows inserted later (or in a cycle): imported as null, then set once
   * every table is in, where the row they name exists.
   */
  deferred?: { column: string; references: keyof Database }[];
  /**
   * A column naming another row of the same table that a check constraint needs set at insert
   * (a superseded entry names its successor): rows are inserted successors first.
   */
  selfReference?: string;
  /** The keys of the blobs a row owns (a file row's stored object), copied with it through the BlobStore. */
  blobs?: (row: Record<string, unknown>) => string[];
}

const channels = (s: Scope) => (s.kind === 'org' ? sql`(select id from channels where org_id = ${s.orgId})` : sql`(${s.channelId}::uuid)`);
const inChannels = (s: Scope) => sql`t.channel_id in ${channels(s)}`;
const ofOrg = (s: Scope) => sql`t.org_id = ${s.orgId}`;

export const entities = [
  { table: 'users', where: (s) => sql`t.id in (select user_id from members where org_id = ${s.orgId})`, order: ['id'] },
  { table: 'orgs', where: (s) => sql`t.id = ${s.orgId}`, order: ['id'], deferred: [{ column: 'default_channel_id', references: 'channels' }] },
  { table: 'members', where: ofOrg, order: ['id'] },
  { table: 'member_avatars', where: (s) => sql`t.member_id in (select id from members where org_id = ${s.orgId})`, order: ['member_id'] },
  { table: 'agents', where: (s) => sql`t.member_id in (select id from members where org_id = ${s.orgId})`, order: ['member_id'] },
  { table: 'channels', where: (s) => (s.kind === 'org' ? ofOrg(s) : sql`t.id = ${s.channelId}`), order: ['id'] },
  { table: 'channel_members', where: inChannels, order: ['channel_id', 'member_id'] },
  { table: 'channel_mutes', where: inChannels, order: ['channel_id', 'member_id'] },
  // By seq within a channel: a thread's root comes before its replies.
  { table: 'messages', where: inChannels, order: ['channel_id', 'seq'], deferred: [{ column: 'task_id', references: 'tasks' }] },
  { table: 'message_mentions', where: inChannels, order: ['message_id', 'member_id'] },
  { table: 'reactions', where: (s) => sql`t.message_id in (select id from messages where channel_id in ${channels(s)})`, order: ['message_id', 'member_id', 'emoji'] },
  { table: 'message_streams', where: inChannels, order: ['message_id'] },
  // A file's bytes (and its thumbnail's) travel with its row; a deleted file's are gone or going, so only its tombstone does.
  {
    table: 'files',
    where: inChannels,
    order: ['id'],
    blobs: (row) => (row.deleted_at === null ? [row.storage_key as string, ...(row.preview_key ? [row.preview_key as string] : [])] : []),
  },
  { table: 'channel_events', where: inChannels, order: ['channel_id', 'seq'] },
  { table: 'tasks', where: inChannels, order: ['id'] },
  { table: 'task_interventions', where: (s) => sql`t.task_id in (select id from tasks where channel_id in ${channels(s)})`, order: ['id'] },
  { table: 'task_ratings', where: (s) => sql`t.task_id in (select id from tasks where channel_id in ${channels(s)})`, order: ['task_id', 'member_id'] },
  { table: 'pins', where: inChannels, order: ['message_id'] },
  { table: 'channel_docs', where: inChannels, order: ['id'] },
  { table: 'channel_doc_revisions', where: (s) => sql`t.doc_id in (select id from channel_docs where channel_id in ${channels(s)})`, order: ['doc_id', 'revision'] },
  { table: 'experience_entries', where: inChannels, order: ['id'], selfReference: 'superseded_by' },
  { table: 'experience_votes', where: (s) => sql`t.entry_id in (select id from experience_entries where channel_id in ${channels(s)})`, order: ['entry_id', 'member_id'] },
  { table: 'experience_reports', where: (s) => sql`t.entry_id in (select id from experience_entries where channel_id in ${channels(s)})`, order: ['entry_id', 'task_id'] },
  // A channel archive holds the channel's audit events: a record, not a chain (see docs/BACKUP.md).
  { table: 'audit_events', where: (s) => (s.kind === 'org' ? ofOrg(s) : sql`t.org_id = ${s.orgId} and t.channel_id = ${s.channelId}`), order: ['org_id', 'seq'] },
  { table: 'audit_heads', where: (s) => (s.kind === 'org' ? ofOrg(s) : sql`false`), order: ['org_id'] },
  { table: 'retention_policies', where: (s) => (s.kind === 'org' ? ofOrg(s) : sql`t.channel_id = ${s.channelId}`), order: ['org_id', 'channel_id'] },
  { table: 'legal_holds', where: (s) => (s.kind === 'org' ? ofOrg(s) : sql`t.channel_id = ${s.channelId}`), order: ['id'] },
] satisfies Entity[];

/**
 * Tables an archive does not carry, and why. Every table of the schema is either
 * an entity or listed here: `everyTableDecided` fails to compile otherwise.
 */
export const notCarried = {
  sessions: 'sign-in sessions are secrets of a running instance: people sign in again',
  agent_tokens: 'tokens are never exported: an imported agent has no token until someone issues one',
  task_tokens: 'short-lived credentials of running tasks',
  invites: 'pending invitations are token hashes: invite again',
  builtin_agents: 'hold an agent token and its secret: add the built-in agents again',
  agent_webhooks: "hold an agent's webhook signing secret: set the webhook again",
  incoming_webhooks: "hold an incoming webhook's secret hash: create the hook again (its member is carried)",
  webhook_deliveries: 'the outbox and delivery log of a running instance',
  message_idempotency: 'client_msg_id claims, kept 24 hours for retries of sends in flight',
  server_secrets: "the instance's own keys (the download-link key): a restored instance makes its own",
  // TODO(web-admin): carry avatars (bytea) once the archive format holds binary columns; until then an
  // imported member's avatar_url answers 404 and clients show initials.
} as const satisfies Partial<Record<keyof Database, string>>;

type Carried = (typeof entities)[number]['table'];
/** Fails to compile when a table of the schema is neither carried nor listed in {@link notCarried}. */
export const everyTableDecided: Exclude<keyof Database, keyof typeof notCarried | Carried> extends never ? true : never = true;
