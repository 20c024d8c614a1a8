/** What a message body mentions, before handles are resolved to members. */
export interface ParsedMentions {
  handles: string[];
  channel: boolean;
  here: boolean;
  agents: boolean;
}

// `@handle` at a word start; code spans and fenced blocks are not scanned, as in Slack.
// A run longer than a handle can be is no mention (not one of its first 32 characters).
const mentionPattern = /(?<![\w@.])@([a-z0-9][a-z0-9._-]{0,31})(?![a-z0-9_-]|\.[a-z0-9])/gi;
const codePattern = /```[\s\S]*?```|`[^`\n]*`/g;

export function parseMentions(body: string): ParsedMentions {
  const text = body.replace(codePattern, ' ');
  const handles = new Set<string>();
  const result: ParsedMentions = { handles: [], channel: false, here: false, agents: false };
  for (const match of text.matchAll(mentionPattern)) {
    // Sentence punctuation is not part of a handle: "thanks @ana." mentions ana.
    const handle = (match[1] ?? '').toLowerCase().replace(/[._-]+$/, '');
    if (handle === 'channel' || handle === 'everyone') result.channel = true;
    else if (handle === 'here') result.here = true;
    else if (handle === 'agents') result.agents = true;
    else if (handle) handles.add(handle);
  }
  result.handles = [...handles];
  return result;
}
