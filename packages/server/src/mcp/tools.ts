import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { ChorusError, type RestClient } from '@chorus/sdk';

/**
 * Chorus's tools for an agent, over MCP (DESIGN §2): every tool is a call of
 * the public REST API with the agent's own credentials, so the policy module,
 * the channel's read rules, task-token boundaries, the audience rule and the
 * audit log apply exactly as they do to any other client. A refusal comes back
 * as a tool error that names the rule (`403 audience_violation: …`).
 *
 * A claimed task's token is kept here, by task id, so the tools that act for
 * a task (`task_id`) read and post with the token confined to its channel.
 */
export class TaskTokens {
  readonly #tokens = new Map<string, { token: string; expiresAt: number }>();

  set(taskId: string, token: string, expiresAt: string): void {
    this.#tokens.set(taskId, { token, expiresAt: Date.parse(expiresAt) });
    const now = Date.now();
    for (const [id, t] of this.#tokens) if (t.expiresAt <= now) this.#tokens.delete(id);
  }

  get(taskId: string): string | null {
    const found = this.#tokens.get(taskId);
    return found && found.expiresAt > Date.now() ? found.token : null;
  }
}

const Id = z.uuid();
const Sources = z
  .array(z.object({ type: z.enum(['message', 'doc', 'experience']), id: Id }))
  .max(50)
  .describe('What the text drew on, each item as the context bundle named it; checked by the audience rule');

function ok(result: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(result, null, 2) }] };
}

function refused(error: unknown): CallToolResult {
  if (!(error instanceof ChorusError)) throw error;
  const details = error.details === undefined ? '' : ` ${JSON.stringify(error.details)}`;
  return { isError: true, content: [{ type: 'text', text: `Refused (${error.status} ${error.code}): ${error.message}${details}` }] };
}

/** Each server's tools' argument shapes, so a malformed call can be told (and recorded) before the SDK answers it. */
const argumentShapes = new WeakMap<McpServer, Map<string, z.ZodRawShape>>();

/**
 * What is wrong with a `tools/call` of `name` with `args` on `server`, as the
 * MCP SDK will refuse it (an unknown tool, arguments not matching its schema),
 * or null when the call is well-formed.
 */
export function toolCallProblem(server: McpServer, name: string, args: unknown): { code: 'unknown_tool' | 'invalid_tool_input'; message: string } | null {
  const shape = argumentShapes.get(server)?.get(name);
  if (!shape) return { code: 'unknown_tool', message: `No tool named ${name}.` };
  const parsed = z.object(shape).safeParse(args ?? {});
  return parsed.success ? null : { code: 'invalid_tool_input', message: z.prettifyError(parsed.error) };
}

/** The agent's tools, acting through `rest` (a client holding the agent's token). */
export function buildMcpServer(rest: RestClient, tokens: TaskTokens, version = '0.1.0'): McpServer {
  const server = new McpServer({ name: 'chorus', version }, { instructions: 'Chorus: work on tasks people give you in team channels. List your tasks, claim one, read its context, answer in its thread citing sources, then complete it.' });
  /** The client for a task's work: its task token once claimed here, else the agent's own token. */
  const forTask = (taskId?: string) => {
    const token = taskId ? tokens.get(taskId) : null;
    return token ? rest.withToken(token) : rest;
  };
  const shapes = new Map<string, z.ZodRawShape>();
  argumentShapes.set(server, shapes);
  const registerTool = ((name: string, config: { inputSchema: z.ZodRawShape }, callback: never) => {
    shapes.set(name, config.inputSchema);
    return server.registerTool(name, config, callback);
  }) as McpServer['registerTool'];
  const run = async (fn: () => Promise<unknown>): Promise<CallToolResult> => {
    try {
      return ok(await fn());
    } catch (error) {
      return refused(error);
    }
  };

  registerTool(
    'list_channels',
    { description: 'The channels of the org this agent belongs to, with unread counts', inputSchema: { org_id: Id } },
    ({ org_id }) => run(() => rest.channels(org_id)),
  );
  registerTool(
    'list_tasks',
    {
      description: "This agent's tasks, newest first",
      inputSchema: { agent_id: Id.describe("this agent's member id"), status: z.enum(['queued', 'running', 'done', 'failed', 'rejected']).optional() },
    },
    ({ agent_id, status }) => run(() => rest.agentTasks(agent_id, status ? { status } : {})),
  );
  registerTool(
    'claim_task',
    { description: 'Claim a queued task: from now on the tools given its task_id act with a token confined to its channel', inputSchema: { task_id: Id } },
    ({ task_id }) =>
      run(async () => {
        const { token, token_expires_at, ...detail } = await rest.claimTask(task_id);
        tokens.set(task_id, token, token_expires_at);
        return detail;
      }),
  );
  registerTool(
    'get_context',
    {
      description: "The context bundle for a task or a channel: the task's thread, recent history and the channel's knowledge, within the channel's rules; each item has the type and id to cite",
      inputSchema: { channel_id: Id, task_id: Id.optional(), limit: z.int().min(1).max(200).optional(), max_chars: z.int().min(1).max(200_000).optional() },
    },
    ({ channel_id, task_id, limit, max_chars }) =>
      run(() => forTask(task_id).context(channel_id, { ...(task_id ? { task_id } : {}), ...(limit ? { limit } : {}), ...(max_chars ? { max_chars } : {}) })),
  );
  registerTool(
    'read_thread',
    { description: 'A thread: its root and replies, oldest first', inputSchema: { message_id: Id, task_id: Id.optional() } },
    ({ message_id, task_id }) => run(() => forTask(task_id).thread(message_id)),
  );
  registerTool(
    'read_history',
    { description: "A channel's messages, newest page first (before: a seq to page back from)", inputSchema: { channel_id: Id, before: z.int().min(1).optional(), limit: z.int().min(1).max(100).optional(), task_id: Id.optional() } },
    ({ channel_id, before, limit, task_id }) => run(() => forTask(task_id).history(channel_id, { ...(before ? { before } : {}), ...(limit ? { limit } : {}) })),
  );
  registerTool(
    'post_message',
    {
      description: "Post in a channel (in a thread with thread_root_id). With task_id, posts in the task's channel with its task token. Declare sources: a post citing what this channel's readers may not read is refused",
      inputSchema: {
        channel_id: Id,
        body: z.string().min(1).max(40_000),
        thread_root_id: Id.optional(),
        kind: z.enum(['chat', 'agent_reasoning', 'agent_tool']).optional(),
        sources: Sources.optional(),
        task_id: Id.optional(),
      },
    },
    ({ channel_id, body, thread_root_id, kind, sources, task_id }) =>
      run(() => forTask(task_id).post(channel_id, { body, ...(thread_root_id ? { thread_root_id } : {}), ...(kind ? { kind } : {}), ...(sources ? { sources } : {}) })),
  );
  registerTool(
    'update_task',
    {
      description: 'Finish a claimed task: done (naming the result message) or failed (with a reason; retried while attempts remain unless retry is false)',
      inputSchema: { task_id: Id, status: z.enum(['done', 'failed']), result_message_id: Id.optional(), reason: z.string().min(1).max(2000).optional(), retry: z.boolean().optional() },
    },
    ({ task_id, status, result_message_id, reason, retry }) =>
      run(() =>
        status === 'done'
          ? forTask(task_id).completeTask(task_id, result_message_id ? { result_message_id } : {})
          : forTask(task_id).failTask(task_id, { reason: reason ?? 'the agent gave up', ...(retry === undefined ? {} : { retry }) }),
      ),
  );
  registerTool(
    'search',
    {
      description: 'Full-text search over what this agent may read (with task_id: only what the task channel may be shown); web-search syntax: words, "phrases", or, -word',
      inputSchema: {
        org_id: Id,
        q: z.string().min(1).max(500),
        channel_id: Id.optional(),
        author_kind: z.enum(['human', 'agent']).optional(),
        limit: z.int().min(1).max(50).optional(),
        cursor: z.string().max(500).optional(),
        task_id: Id.optional(),
      },
    },
    ({ org_id, q, channel_id, author_kind, limit, cursor, task_id }) =>
      run(() => forTask(task_id).search(org_id, { q, ...(channel_id ? { channel_id } : {}), ...(author_kind ? { author_kind } : {}), ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) })),
  );
  registerTool(
    'pin_message',
    { description: "Pin a message in its channel, with an optional note (the channel's who_may_pin setting decides)", inputSchema: { message_id: Id, note: z.string().max(500).optional(), task_id: Id.optional() } },
    ({ message_id, note, task_id }) => run(() => forTask(task_id).pin(message_id, note)),
  );
  registerTool(
    'create_experience',
    {
      description: "Distil a lesson in a channel from messages or threads it drew on (provenance); every source must be readable by everyone who reads the channel",
      inputSchema: {
        channel_id: Id,
        title: z.string().min(1).max(200),
        body: z.string().min(1).max(20_000),
        tags: z.array(z.string().min(1).max(40)).max(20).optional(),
        sources: z.array(z.object({ type: z.enum(['message', 'thread', 'doc']), id: Id })).min(1).max(50),
        task_id: Id.optional(),
      },
    },
    ({ channel_id, title, body, tags, sources, task_id }) => run(() => forTask(task_id).createExperience(channel_id, { title, body, ...(tags ? { tags } : {}), sources })),
  );
  registerTool(
    'rate_experience',
    {
      description: 'Report whether an experience entry helped in a task this agent holds (one report per task and entry)',
      inputSchema: { entry_id: Id, task_id: Id, outcome: z.enum(['helpful', 'unhelpful']), note: z.string().max(1000).optional() },
    },
    ({ entry_id, task_id, outcome, note }) => run(() => forTask(task_id).reportExperience(entry_id, { task_id, outcome, ...(note ? { note } : {}) })),
  );
  return server;
}
