import type { ContextBundle } from '@chorus/protocol/context';
import type { SendFrame } from '@chorus/protocol/frames';
import type { MessageView, SourceRef, TaskView } from '@chorus/protocol/views';
import { ChorusError } from './errors.js';
import { RestClient, type TaskDetail } from './rest.js';
import { ChorusSocket, type WebSocketFactory } from './socket.js';

/** What a task handler may return: the reply to post in the task's thread, or nothing when it posted itself. */
export type TaskAnswer = string | { body: string; sources?: SourceRef[] } | undefined;

/** One task in the hands of the agent's handler. */
export interface TaskWork {
  task: TaskView;
  /** The request, as the agent may read it (null when the channel's rules hide it). */
  request: MessageView | null;
  /** A client holding the task token: it reads the task's channel and posts there, and nothing else. */
  rest: RestClient;
  /** The context bundle for this task (thread, history, knowledge), within the channel's rules. */
  context: (query?: { limit?: number; max_chars?: number }) => Promise<ContextBundle>;
  /** Posts in the task's thread. Declare what the text drew on in `sources`; the audience rule checks them. */
  reply: (body: string, options?: { sources?: SourceRef[]; kind?: PostKind }) => Promise<MessageView>;
  /**
   * Opens a streamed reply in the task's thread: people watch it grow as you `append`; `end` stores
   * the final text once (and makes it the task's result).
   */
  stream: (first: string, options?: { sources?: SourceRef[] }) => Promise<ReplyStream>;
  /** Aborted when the task's lease is lost or the agent stops. */
  signal: AbortSignal;
}

/** A streamed reply being written. */
export interface ReplyStream {
  message: MessageView;
  append: (text: string) => Promise<void>;
  end: (body?: string) => Promise<MessageView>;
}

export interface AgentOptions {
  /** The server's base URL (or a cluster's nodes, tried in turn). */
  url: string | string[];
  /** The agent's own token (scopes: messages:read, messages:write, channels:read). */
  token: string;
  orgId?: string;
  onTask: (work: TaskWork) => TaskAnswer | Promise<TaskAnswer>;
  /** Called when a task fails (it is then failed with the error's message and retried while attempts remain). */
  onError?: (error: unknown, task: TaskView | null) => void;
  /**
   * Called when someone rates one of this agent's results: the task with its new mean and count (never
   * anyone's own score), and who rated. Feedback to learn from, e.g. to record an experience entry.
   */
  onRated?: (rated: { task: TaskView; ratedBy: string }) => void;
  /** Tasks worked at once; default 1. */
  concurrency?: number;
  WebSocket?: WebSocketFactory;
  fetch?: typeof fetch;
}

const leaseShare = 1 / 3;

/** What an agent posts: an answer (`chat`), or intermediate steps threaded under the task. */
type PostKind = NonNullable<SendFrame['kind']>;

/**
 * An agent's runtime: connects with the agent token, receives its tasks over
 * the socket (and the ones queued while it was away), claims each, hands the
 * handler a task-token client, heartbeats the lease while the handler works,
 * posts the answer in the task's thread and completes the task — or fails it,
 * to be retried, when the handler throws. Reconnect and resume are the
 * socket's: a task created while the agent was disconnected arrives on resume.
 *
 * @example
 * const agent = createAgent({ url, token, WebSocket: WS, onTask: async ({ context }) => {
 *   const bundle = await context();
 *   return { body: `I read ${bundle.history.items.length} messages.`, sources: bundle.history.items.map(({ type, id }) => ({ type, id })) };
 * } });
 * await agent.start();
 */
export class ChorusAgent {
  readonly rest: RestClient;
  readonly socket: ChorusSocket;
  memberId: string | null = null;
  readonly #queue: string[] = [];
  /** Tasks queued here or being worked, so a task announced twice is worked once. */
  readonly #known = new Set<string>();
  readonly #running = new Map<string, Promise<void>>();
  /** Tasks announced as queued again while being worked here (a failed attempt requeued): offered once it ends. */
  readonly #again = new Set<string>();
  readonly #stopping = new AbortController();
  readonly #fetch: typeof fetch;

  constructor(private readonly options: AgentOptions) {
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    const base = Array.isArray(options.url) ? (options.url[0] ?? '') : options.url;
    this.rest = new RestClient(base, options.token, this.#fetch);
    this.socket = new ChorusSocket({
      url: options.url,
      token: options.token,
      ...(options.orgId !== undefined ? { orgId: options.orgId } : {}),
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    });
    this.socket.on('event', (event) => {
      if (event.type === 'task.rated') {
        if (event.payload.task.agent_id === this.memberId) options.onRated?.({ task: event.payload.task, ratedBy: event.payload.rated_by });
        return;
      }
      if (event.type !== 'task.created' && event.type !== 'task.updated') return;
      const task = event.payload.task;
      if (task.agent_id === this.memberId && task.status === 'queued') this.#offer(task.id);
    });
  }

  /** Connects, then takes up the tasks already queued for the agent. */
  async start(): Promise<void> {
    const ready = await this.socket.connect();
    this.memberId = ready.member.id;
    const { tasks } = await this.rest.agentTasks(ready.member.id, { status: 'queued', limit: 200 });
    for (const { task } of tasks.reverse()) this.#offer(task.id);
  }

  /** Stops taking tasks, lets the running ones finish, and closes the socket. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#queue.length = 0;
    await Promise.allSettled(this.#running.values());
    this.socket.close();
  }

  /** Resolves when no task is queued or being worked here. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled(this.#running.values());
  }

  #offer(taskId: string): void {
    if (this.#stopping.signal.aborted) return;
    if (this.#running.has(taskId)) this.#again.add(taskId);
    if (this.#known.has(taskId)) return;
    this.#known.add(taskId);
    this.#queue.push(taskId);
    this.#pump();
  }

  #pump(): void {
    const limit = Math.max(1, this.options.concurrency ?? 1);
    while (this.#running.size < limit && this.#queue.length > 0) {
      const taskId = this.#queue.shift() as string;
      const run = this.#work(taskId).finally(() => {
        this.#running.delete(taskId);
        this.#known.delete(taskId);
        if (this.#again.delete(taskId)) this.#offer(taskId);
        this.#pump();
      });
      this.#running.set(taskId, run);
    }
  }

  async #work(taskId: string): Promise<void> {
    let claim: TaskDetail & { token: string };
    try {
      claim = await this.rest.claimTask(taskId);
    } catch (error) {
      // Someone else's claim won, or the task moved on: not ours to work.
      if (error instanceof ChorusError && (error.status === 409 || error.status === 404)) return;
      this.options.onError?.(error, null);
      return;
    }
    const task = claim.task;
    const rest = new RestClient(this.rest.baseUrl, claim.token, this.#fetch);
    const lease = new AbortController();
    const stop = () => { lease.abort(); };
    this.#stopping.signal.addEventListener('abort', stop, { once: true });
    const leaseMs = task.lease_expires_at ? Date.parse(task.lease_expires_at) - Date.now() : 60_000;
    const beat = setInterval(() => {
      rest.heartbeatTask(task.id).catch(stop);
    }, Math.max(1_000, leaseMs * leaseShare));
    const answered: MessageView[] = [];
    const reply = async (body: string, options: { sources?: SourceRef[]; kind?: PostKind } = {}) => {
      const { message } = await rest.post(task.channel_id, {
        body,
        ...(task.thread_root_id ? { thread_root_id: task.thread_root_id } : {}),
        client_msg_id: globalThis.crypto.randomUUID(),
        ...(options.sources ? { sources: options.sources } : {}),
        ...(options.kind ? { kind: options.kind } : {}),
      });
      if ((options.kind ?? 'chat') === 'chat') answered.push(message);
      return message;
    };
    const stream = async (first: string, options: { sources?: SourceRef[] } = {}): Promise<ReplyStream> => {
      const { message } = await rest.post(task.channel_id, {
        body: first,
        stream: true,
        ...(task.thread_root_id ? { thread_root_id: task.thread_root_id } : {}),
        ...(options.sources ? { sources: options.sources } : {}),
      });
      return {
        message,
        append: async (text) => {
          await rest.appendChunk(message.id, text);
        },
        end: async (body) => {
          const ended = (await rest.endStream(message.id, body)).message;
          answered.push(ended);
          return ended;
        },
      };
    };
    try {
      const answer = await this.options.onTask({
        task,
        request: claim.request,
        rest,
        context: (query = {}) => rest.context(task.channel_id, { task_id: task.id, ...query }),
        reply,
        stream,
        signal: lease.signal,
      });
      if (answer !== undefined) await (typeof answer === 'string' ? reply(answer) : reply(answer.body, answer.sources ? { sources: answer.sources } : {}));
      const result = answered.at(-1);
      await rest.completeTask(task.id, result ? { result_message_id: result.id } : {});
    } catch (error) {
      this.options.onError?.(error, task);
      const reason = error instanceof Error ? error.message : String(error);
      await rest.failTask(task.id, { reason: reason.slice(0, 500) || 'the agent failed', retry: true }).catch((failure: unknown) => this.options.onError?.(failure, task));
    } finally {
      clearInterval(beat);
      this.#stopping.signal.removeEventListener('abort', stop);
    }
  }
}

/** Creates an agent runtime; call `start()` to connect and take tasks. */
export function createAgent(options: AgentOptions): ChorusAgent {
  return new ChorusAgent(options);
}
