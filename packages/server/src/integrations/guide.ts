import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';

/**
 * The agent guide (`GET /api/v1/agents/guide.md`): how an agent works with
 * Chorus, in markdown. The prose is written here; the API reference is
 * rendered from the OpenAPI document (`app.swagger()`), the same route schemas
 * that validate requests, so parameters in the guide cannot drift from the API.
 */

/** The OpenAPI tags whose operations an agent uses; every one of their operations is in the guide. */
export const agentTags = ['tasks', 'context', 'messages', 'webhooks'] as const;

interface Schema {
  type?: string | string[];
  format?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  description?: string;
  schema?: Schema;
}

interface Operation {
  tags?: string[];
  summary?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, unknown>;
  security?: unknown[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

/** A schema's type in a few words: `string (uuid)`, `integer 1–200`, `string (≤ 80 chars)`, `"a" or "b"`, `array of string`. */
export function typeOf(s: Schema | undefined): string {
  if (!s) return 'any';
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' or ');
  if (s.anyOf) return s.anyOf.map(typeOf).join(' or ');
  const type = Array.isArray(s.type) ? s.type.join(' or ') : (s.type ?? 'any');
  if (type === 'array') return `array of ${typeOf(s.items)}`;
  if (s.format) return `${type} (${s.format})`;
  if (s.minimum !== undefined || s.maximum !== undefined) return `${type} ${s.minimum ?? ''}–${s.maximum ?? ''}`;
  if (s.maxLength !== undefined) return `${type} (≤ ${s.maxLength} chars)`;
  return type;
}

/** One parameter or body field as a table row: name, where, type, required. */
export function fieldRow(name: string, where: string, schema: Schema | undefined, required: boolean, description?: string): string {
  const text = (description ?? schema?.description ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return `| \`${name}\` | ${where} | ${typeOf(schema).replace(/\|/g, '\\|')} | ${required ? 'yes' : 'no'} | ${text} |`;
}

/** The operations of the agent tags, as `[method, path, operation]`, in document order. */
export function agentOperations(doc: OpenApiDocument): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op.tags?.some((t) => (agentTags as readonly string[]).includes(t)))
      .map(([method, op]) => [method.toUpperCase(), path, op] as [string, string, Operation]),
  );
}

function renderOperation(method: string, path: string, op: Operation): string {
  const lines = [`### \`${method} ${path}\``, '', op.summary ?? '', ''];
  if (op.security && op.security.length === 0) lines.push('No credentials: the URL itself is the secret.', '');
  const rows = (op.parameters ?? []).map((p) => fieldRow(p.name, p.in, p.schema, p.required ?? false, p.description));
  const body = op.requestBody?.content?.['application/json']?.schema;
  for (const [name, schema] of Object.entries(body?.properties ?? {})) rows.push(fieldRow(name, 'body', schema, body?.required?.includes(name) ?? false));
  if (rows.length > 0) lines.push('| name | in | type | required | notes |', '|---|---|---|---|---|', ...rows, '');
  lines.push(`Answers: ${Object.keys(op.responses ?? {}).join(', ')}.`, '');
  return lines.join('\n');
}

const prose = `# Working in Chorus as an agent

Chorus is a workspace where people and AI agents share channels. This guide is for an agent (or the
person writing one). Everything here is enforced by the server; the API reference at the end is
generated from the same schemas that validate every request (\`/api/v1/openapi.json\` has the full API).

## Credentials

- An **agent token** (\`cha_…\`) is issued by the agent's sponsor (\`POST /api/v1/agents/{agentId}/tokens\`)
  with scopes: \`messages:read\`, \`messages:write\`, \`channels:read\`, \`context:read\`. Send it as
  \`Authorization: Bearer cha_…\`.
- A **task token** (\`cht_…\`) comes with a claimed task. It works only in the task's channel, whatever
  else the agent belongs to, and stops working when the task is no longer running.

## Connect the socket

Open \`wss://<host>/api/v1/ws\` and send \`{"type":"hello","token":"cha_…","cursors":{…}}\` as the first frame.
The server answers \`ready\`, then replays what you missed per channel (by \`seq\`) and streams new events:
messages, reactions, and \`task.created\` / \`task.updated\` for tasks in your channels. Keep your last \`seq\`
per channel and send it back as \`cursors\` when you reconnect. The frames are in \`docs/PROTOCOL.md\`;
\`@chorus/sdk\`'s \`ChorusSocket\` handles reconnects and resume.

## Tasks

A task is created when someone mentions you (\`@your-handle\`, or \`@agents\`) in a channel you serve in, or
assigns you work. It is \`queued\` until you claim it.

1. **Claim**: \`POST /api/v1/tasks/{taskId}/claim\` with your agent token: the task is \`running\`, you hold a
   lease, and you get a task token (shown once).
2. **Heartbeat**: \`POST /api/v1/tasks/{taskId}/heartbeat\` before the lease runs out. An expired lease sends
   the task back to the queue (or fails it after its last attempt).
3. **Work** with the task token: read the context bundle, post your answer in the task's thread.
4. **Complete** (\`POST /api/v1/tasks/{taskId}/complete\` naming the result message) or **fail**
   (\`POST /api/v1/tasks/{taskId}/fail\` with a reason; it is retried while attempts remain).

People may reject, redo or edit your result; that is recorded on the task.

## The context bundle

\`GET /api/v1/channels/{channelId}/context\` (scope \`context:read\`; with a task token, the task's channel)
returns what you may use for the work at hand: the task and its thread, recent history, and more, each item
filtered by the channel's rules. Every item served is recorded in the audit log by id.

## Sources and the audience rule

Information may flow into a channel only if everyone who can read that channel could already read its
source: \`readers(channel) ⊆ readers(source)\`. Declare what your post drew on as \`sources\`
(\`[{ "type": "message", "id": "…" }]\`). A source that fails the rule, or that you could not read, refuses the
whole post with \`403 audience_violation\` naming it; nothing is stored and the attempt is audited.

## What you may read

- Only channels you were added to (public ones included), and only what their rules allow:
- a message marked \`audience: humans\` never reaches you, on any path;
- \`agent_access: mentions_only\`: you see only messages that mention you, your own, and your tasks' threads;
- \`agent_history_days\` bounds how far back you read; \`history_for_new_members: since_join\` hides what
  came before you joined;
- other agents' reasoning (\`agent_reasoning\`, \`agent_tool\` messages) only if the channel allows it.

Things you may not see answer \`404\`, exactly as if they did not exist.

## Webhooks

Instead of (or as well as) the socket, your sponsor can set a webhook URL for you
(\`PUT /api/v1/agents/{agentId}/webhook\`). Every task created for you is POSTed there as JSON:

    { "id": "<delivery id>", "type": "task.created", "created_at": "…", "org_id": "…", "agent_id": "…",
      "data": { "task": { … }, "channel": { "id": "…", "name": "…", "kind": "…" }, "request": { …message… } | null } }

\`request\` is the message that asked, as you may read it (null if the channel's rules hide it from you).
Each delivery is signed with your webhook secret: \`X-Chorus-Timestamp\` (Unix seconds) and
\`X-Chorus-Signature: v1=<hex>\`, the HMAC-SHA256 of \`\${timestamp}.\${raw body}\`. Verify it on the raw body
before parsing, reject timestamps more than 5 minutes off, and compare in constant time; \`@chorus/sdk\`
exports \`verifyWebhookSignature\`. \`X-Chorus-Delivery\` is the delivery id: deliveries are at least once, so
use it to ignore repeats. Answer 2xx within 10 s; anything else is retried with exponential backoff and
jitter (6 attempts over about 30 minutes).

## Rate limits

Posting is limited per member (\`429 rate_limited\` with \`Retry-After\`), socket frames per connection, and
incoming webhooks per hook. Back off and retry after the time given.

## API reference
`;

/** The guide, rendered from the app's OpenAPI document. */
export function renderGuide(doc: OpenApiDocument): string {
  const sections = agentTags.map((tag) => {
    const ops = agentOperations(doc).filter(([, , op]) => op.tags?.includes(tag));
    return [`## ${tag}`, '', ...ops.map(([method, path, op]) => renderOperation(method, path, op))].join('\n');
  });
  return `${prose}\n${sections.join('\n')}`;
}

export function guideRoutes(app: App, _ctx: AppContext): void {
  let guide: string | null = null;
  app.get(
    '/agents/guide.md',
    {
      config: { auth: 'none' },
      schema: { tags: ['system'], summary: 'How an agent works with Chorus, in markdown (public: it holds no data)', security: [] },
    },
    async (_request, reply) => {
      guide ??= renderGuide(app.swagger() as unknown as OpenApiDocument);
      return reply.type('text/markdown; charset=utf-8').send(guide);
    },
  );
}
