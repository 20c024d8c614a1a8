import WebSocket from 'ws';
import type { MessageView } from '@chorus/protocol/views';
import { createAgent, type ChorusAgent, type TaskAnswer, type TaskWork, type WebSocketFactory } from '@chorus/sdk';
import type { Db } from '../db/database.js';
import type { BuiltinAgent } from '../db/schema.js';
import type { EventBus } from '../events/bus.js';
import { digestTask } from './digest-agent.js';
import { guardedFetch } from '../outbound/fetch.js';
import { OutboundRules } from '../outbound/rules.js';
import { llmTask } from './llm-agent.js';

export interface AgentHostOptions {
  db: Db;
  /** The Chorus server the agents talk to, as any agent would (its base URL, without /api/v1). */
  url: string;
  /** The public origin links in digests point at. */
  publicUrl: string;
  /** When the host runs inside the server: it is told at once when an agent is added. */
  bus?: EventBus;
  /** How often to look for added or removed agents (0: only when told, or on `sync()`). */
  pollMs?: number;
  /** Where LLM agents read their API keys from. */
  env?: NodeJS.ProcessEnv;
  /** Internal hosts an LLM agent's base_url may reach (CHORUS_OUTBOUND_ALLOW; outbound/). */
  outboundAllow?: readonly string[];
  onError?: (error: unknown, agentId: string) => void;
  /** Which built-in agents this host runs (all by default): hosts can split the agents between them. */
  accept?: (agent: BuiltinAgent) => boolean;
}

interface Running {
  row: BuiltinAgent;
  runtime: ChorusAgent;
}

/**
 * Runs the built-in agents with the SDK's agent runtime, each as the ordinary
 * agent member it is: it connects with its own token to the server's public
 * API, so the channel rules, task-token boundaries and the audit log apply to
 * it exactly as to an agent running anywhere else. Several hosts may run the
 * same agents (one per node): a task's claim goes to one of them.
 */
export class AgentHost {
  readonly #running = new Map<string, Running>();
  #syncing: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: (() => void) | null = null;
  #stopped = false;

  readonly #outbound: ReturnType<typeof guardedFetch>;

  constructor(private readonly options: AgentHostOptions) {
    this.#outbound = guardedFetch(new OutboundRules(options.outboundAllow ?? []));
  }

  /** Starts the agents there are, and keeps up with added and removed ones. */
  async start(): Promise<void> {
    this.#unsubscribe =
      this.options.bus?.onSignal((signal) => {
        // An agent added, or one whose access ended (suspended, retired, token revoked): start or stop it now.
        if (signal.kind === 'builtin_agents' || signal.kind === 'access') void this.sync();
      }) ?? null;
    if (this.options.pollMs) this.#timer = setInterval(() => void this.sync(), this.options.pollMs);
    await this.sync();
  }

  /** The runtime of a running built-in agent (tests wait on its `idle()`). */
  runtime(agentId: string): ChorusAgent | null {
    return this.#running.get(agentId)?.runtime ?? null;
  }

  /** Starts the agents not yet running, and stops those that were removed, suspended or whose token was revoked. */
  sync(): Promise<void> {
    this.#syncing = this.#syncing.then(() => this.#sync()).catch((error: unknown) => this.options.onError?.(error, ''));
    return this.#syncing;
  }

  async #sync(): Promise<void> {
    if (this.#stopped) return;
    const rows = await this.options.db
      .selectFrom('builtin_agents')
      .innerJoin('members', 'members.id', 'builtin_agents.agent_id')
      .innerJoin('agent_tokens', 'agent_tokens.id', 'builtin_agents.token_id')
      .selectAll('builtin_agents')
      .where('members.status', '=', 'active')
      .where('agent_tokens.revoked_at', 'is', null)
      .execute();
    const accept = this.options.accept ?? (() => true);
    const wanted = new Map(rows.filter(accept).map((r) => [r.agent_id, r]));
    for (const [agentId, running] of this.#running) {
      if (wanted.has(agentId)) continue;
      this.#running.delete(agentId);
      await running.runtime.stop();
    }
    for (const row of wanted.values()) {
      if (this.#running.has(row.agent_id)) continue;
      const runtime = this.#runtime(row);
      this.#running.set(row.agent_id, { row, runtime });
      try {
        await runtime.start();
      } catch (error) {
        // It is tried again on the next sync.
        this.#running.delete(row.agent_id);
        runtime.socket.close();
        this.options.onError?.(error, row.agent_id);
      }
    }
  }

  #runtime(row: BuiltinAgent): ChorusAgent {
    const link = (m: MessageView) => `${this.options.publicUrl.replace(/\/$/, '')}/api/v1/messages/${m.id}`;
    const onTask = (work: TaskWork): Promise<TaskAnswer> => {
      if (row.kind === 'digest') return digestTask(work, row.agent_id, link);
      const llm = row.config.llm;
      if (!llm) throw new Error('This llm agent has no model configured.');
      return llmTask(work, llm, this.options.env ?? process.env, this.#outbound.fetch);
    };
    return createAgent({
      url: this.options.url,
      token: row.token_secret,
      orgId: row.org_id,
      WebSocket: WebSocket as unknown as WebSocketFactory,
      concurrency: 2,
      onTask,
      onError: (error) => this.options.onError?.(error, row.agent_id),
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    if (this.#timer) clearInterval(this.#timer);
    await this.#syncing;
    await Promise.all([...this.#running.values()].map((r) => r.runtime.stop()));
    this.#running.clear();
    await this.#outbound.close();
  }
}
