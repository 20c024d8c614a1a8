import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ContextBundle } from '@chorus/protocol/context';
import type { SourceRef } from '@chorus/protocol/views';
import type { TaskAnswer, TaskWork } from '@chorus/sdk';
import type { LlmConfig } from '../db/schema.js';
import { maxBodyLength } from '../messages/service.js';
import { refusalIn, type Fetch } from '../outbound/fetch.js';

/** A model call may take this long before the attempt fails (and the task is retried). */
const timeoutMs = 60_000;
const maxAnswerTokens = 1024;

const tagOf = { message: 'msg', doc: 'doc', experience: 'exp' } as const;
const typeOf = { msg: 'message', doc: 'doc', exp: 'experience' } as const;

const instructions = [
  'You are an assistant working in a team chat channel. Answer the request using only the context below.',
  'Every context item starts with its tag, such as [msg:<id>], [doc:<id>] or [exp:<id>].',
  'After each statement that draws on an item, cite it by writing its tag exactly as given, e.g. [msg:123e4567-e89b-12d3-a456-426614174000].',
  'If the context does not hold the answer, say so briefly. Answer in markdown.',
].join('\n');

function tag(type: SourceRef['type'], id: string): string {
  return `[${tagOf[type]}:${id}]`;
}

/** The prompt: the context bundle as tagged items (guide, thread, pins, docs, experience, history), then the request. */
export function buildPrompt(bundle: ContextBundle, request: string): { system: string; user: string; ids: Set<string> } {
  const ids = new Set<string>();
  const item = (type: SourceRef['type'], id: string, text: string) => {
    ids.add(tag(type, id));
    return `${tag(type, id)} ${text}`;
  };
  const message = (m: { id: string; author: { handle: string }; body: string; created_at: string }) => item('message', m.id, `@${m.author.handle} (${m.created_at}): ${m.body}`);
  const sections: string[] = [`Channel: #${bundle.channel.name ?? bundle.channel.id}${bundle.channel.topic ? ` — ${bundle.channel.topic}` : ''}`];
  if (bundle.guide) sections.push(`## Channel guide\n${item('doc', bundle.guide.id, `${bundle.guide.title}\n${bundle.guide.body}`)}`);
  if (bundle.thread) sections.push(`## The request's thread\n${[...(bundle.thread.root ? [bundle.thread.root] : []), ...bundle.thread.items].map(message).join('\n')}`);
  if (bundle.pins.items.length > 0) sections.push(`## Pinned\n${bundle.pins.items.map(message).join('\n')}`);
  if (bundle.docs.items.length > 0) sections.push(`## Docs\n${bundle.docs.items.map((d) => item('doc', d.id, `${d.title}\n${d.body}`)).join('\n\n')}`);
  if (bundle.experience.length > 0) sections.push(`## Team experience\n${bundle.experience.map((e) => item('experience', e.id, `${e.title}: ${e.body}`)).join('\n')}`);
  if (bundle.history.items.length > 0) sections.push(`## Recent messages\n${bundle.history.items.map(message).join('\n')}`);
  return { system: `${instructions}\n\n# Context\n\n${sections.join('\n\n')}`, user: request, ids };
}

/** The sources an answer cites: the tags it wrote that were in the bundle, in order, once each. Others are ignored. */
export function citedSources(answer: string, ids: ReadonlySet<string>): SourceRef[] {
  const seen = new Set<string>();
  const sources: SourceRef[] = [];
  for (const match of answer.matchAll(/\[(msg|doc|exp):([0-9a-f-]{36})\]/g)) {
    const [whole, kind, id] = match;
    if (!kind || !id || seen.has(whole) || !ids.has(whole)) continue;
    seen.add(whole);
    sources.push({ type: typeOf[kind as keyof typeof typeOf], id });
  }
  return sources.slice(0, 50);
}

/** Asks the configured model through its provider's SDK; the API key is read from the environment now, never stored. */
export async function complete(llm: LlmConfig, env: NodeJS.ProcessEnv, fetch: Fetch, prompt: { system: string; user: string }, signal: AbortSignal): Promise<string> {
  const apiKey = env[llm.api_key_env];
  if (!apiKey) throw new Error(`The environment variable ${llm.api_key_env} (this agent's API key) is not set on the agent host.`);
  // The task is retried by Chorus (a failed attempt is requeued): the SDK does not retry on its own.
  // Through the outbound guard: a base_url may not reach an internal address the operator has not allowed.
  const common = { apiKey, maxRetries: 0, timeout: timeoutMs, fetch, ...(llm.base_url ? { baseURL: llm.base_url } : {}) };
  try {
    return await ask(llm, common, prompt, signal);
  } catch (error) {
    // The SDKs report any failed connection as "Connection error."; the guard's refusal says what to do.
    throw refusalIn(error) ?? error;
  }
}

async function ask(llm: LlmConfig, common: { apiKey: string; maxRetries: number; timeout: number; fetch: Fetch; baseURL?: string }, prompt: { system: string; user: string }, signal: AbortSignal): Promise<string> {
  if (llm.provider === 'openai') {
    const client = new OpenAI(common);
    const res = await client.chat.completions.create(
      { model: llm.model, messages: [{ role: 'system', content: prompt.system }, { role: 'user', content: prompt.user }], max_completion_tokens: maxAnswerTokens },
      { signal },
    );
    return res.choices[0]?.message.content ?? '';
  }
  const client = new Anthropic(common);
  const res = await client.messages.create({ model: llm.model, max_tokens: maxAnswerTokens, system: prompt.system, messages: [{ role: 'user', content: prompt.user }] }, { signal });
  return res.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

/** The LLM agent's task: the bundle as the prompt, the model's answer posted with the sources it cited. */
export async function llmTask(work: TaskWork, llm: LlmConfig, env: NodeJS.ProcessEnv, fetch: Fetch): Promise<TaskAnswer> {
  const bundle = await work.context();
  const request = work.task.command === 'ask' ? (work.task.command_args ?? '') : (work.request?.body ?? bundle.thread?.root?.body ?? '');
  const prompt = buildPrompt(bundle, request || 'Summarise what matters in this context.');
  const answer = (await complete(llm, env, fetch, prompt, work.signal)).trim();
  if (answer === '') throw new Error('The model gave an empty answer.');
  // A long answer is cut to what a message holds rather than failing every attempt.
  const body = answer.length > maxBodyLength ? `${answer.slice(0, maxBodyLength - 1)}…` : answer;
  return { body, sources: citedSources(body, prompt.ids) };
}
