import type { MessageView, SourceRef } from '@chorus/protocol/views';

/**
 * The digest agent's summary, made without a model: messages are ranked by
 * what people did with them (replies, reactions, mentions), their length and
 * a few words that mark decisions; questions nobody answered are listed as
 * open. The same messages always give the same digest.
 */

/** The window a `/digest` argument asks for: hours or days back from now, or the request's thread. */
export type DigestWindow = { kind: 'since'; label: string; ms: number } | { kind: 'thread' };

const maxWindowMs = 90 * 86_400_000;
export const digestUsage = 'Usage: `/digest` (the last 24h), `/digest 6h`, `/digest 7d` (up to 90d), or `/digest thread` inside a thread.';

/** Parses `24h`, `7d`, `thread` (default 24h); null when the argument is not one of these. */
export function parseWindow(args: string | null): DigestWindow | null {
  const arg = (args ?? '').trim().toLowerCase();
  if (arg === '') return { kind: 'since', label: '24h', ms: 86_400_000 };
  if (arg === 'thread') return { kind: 'thread' };
  const match = /^(\d{1,4})([hd])$/.exec(arg);
  if (!match?.[1] || !match[2]) return null;
  const ms = Number(match[1]) * (match[2] === 'h' ? 3_600_000 : 86_400_000);
  return ms > 0 && ms <= maxWindowMs ? { kind: 'since', label: arg, ms } : null;
}

const decisionWords = /\b(decided|decision|agreed|agree on|approved|we will|we'll|going with|go with|settled on|final answer)\b/i;

export function isDecision(body: string): boolean {
  return decisionWords.test(body);
}

export function isQuestion(body: string): boolean {
  return /\?\s*$/m.test(body.trim()) || /\?(\s|$)/.test(body);
}

/** A message's weight: engagement first, then substance. Ties keep channel order. */
export function score(m: MessageView): number {
  const reactions = m.reactions.reduce((sum, r) => sum + r.count, 0);
  const replies = m.thread?.reply_count ?? 0;
  const mentions = m.mentions.member_ids.length + (m.mentions.channel || m.mentions.here || m.mentions.agents ? 1 : 0);
  return 3 * replies + 2 * reactions + mentions + Math.min(m.body.length / 200, 2) + (isDecision(m.body) ? 3 : 0) + (m.pinned ? 2 : 0);
}

function excerpt(body: string, max = 140): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

export interface DigestInput {
  /** The messages in the window, oldest first (the request itself and non-chat messages excluded by the caller). */
  messages: MessageView[];
  /** What the digest covers, e.g. `#launch, last 24h` or `the thread “Launch plan”`. */
  title: string;
  /** A link to a message, e.g. `https://chorus.example/api/v1/messages/<id>`. */
  link: (message: MessageView) => string;
  /** In a thread, a question is open until someone else posts after it; elsewhere, until it has replies. */
  thread: boolean;
}

export interface Digest {
  body: string;
  sources: SourceRef[];
}

/** The markdown digest and the messages it cites (each line links to its source message). */
export function buildDigest({ messages, title, link, thread }: DigestInput): Digest {
  if (messages.length === 0) return { body: `**Digest of ${title}**\n\nNothing was said here in that window.`, sources: [] };
  const cited = new Map<string, SourceRef>();
  const line = (m: MessageView, text = excerpt(m.body)) => {
    cited.set(m.id, { type: 'message', id: m.id });
    return `- @${m.author.handle}: ${text} ([#${m.seq}](${link(m)}))`;
  };
  const order = new Map(messages.map((m, i) => [m.id, i]));
  const ranked = [...messages].sort((a, b) => score(b) - score(a) || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const key = ranked.slice(0, 5).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const decisions = messages.filter((m) => isDecision(m.body)).slice(-10);
  const open = messages
    .filter((m) => isQuestion(m.body) && !isDecision(m.body))
    .filter((m) => (thread ? !messages.slice((order.get(m.id) ?? 0) + 1).some((later) => later.author.id !== m.author.id) : (m.thread?.reply_count ?? 0) === 0))
    .slice(-10);
  const authors = new Map<string, MessageView[]>();
  for (const m of messages) authors.set(m.author.id, [...(authors.get(m.author.id) ?? []), m]);
  const people = [...authors.values()].sort((a, b) => b.length - a.length || (order.get(a[0]?.id ?? '') ?? 0) - (order.get(b[0]?.id ?? '') ?? 0));

  const sections = [
    `**Digest of ${title}** — ${messages.length} message${messages.length === 1 ? '' : 's'} from ${authors.size} ${authors.size === 1 ? 'person' : 'people'}`,
    ['**Key messages**', ...key.map((m) => line(m))].join('\n'),
    ['**Decisions**', ...(decisions.length > 0 ? decisions.map((m) => line(m)) : ['- none recorded'])].join('\n'),
    ['**Open questions**', ...(open.length > 0 ? open.map((m) => line(m)) : ['- none'])].join('\n'),
    [
      '**Who said what**',
      ...people.map((said) => {
        const top = [...said].sort((a, b) => score(b) - score(a) || (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))[0] as MessageView;
        return line(top, `${said.length} message${said.length === 1 ? '' : 's'}; most notably “${excerpt(top.body, 100)}”`);
      }),
    ].join('\n'),
  ];
  return { body: sections.join('\n\n'), sources: [...cited.values()].slice(0, 50) };
}
