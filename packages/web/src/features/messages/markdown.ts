import MarkdownIt from 'markdown-it';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';

/**
 * Messages as safe HTML. markdown-it with raw HTML off (any `<tag>` in a
 * message is text), links only to http(s) and mailto (no `javascript:`,
 * `data:`, `vbscript:`), no images (no tracking pixels, no `onerror`), and
 * `@handle` mentions as spans. Everything else markdown-it escapes itself, so
 * the output can go into `dangerouslySetInnerHTML`.
 */
export interface MarkdownEnv {
  /** Handles that exist in the org, lower case: only these (and @channel, @here, @agents) are highlighted. */
  handles: ReadonlySet<string>;
  /** The reader's handle: their mentions stand out. */
  me: string | null;
}

const safeLink = /^(https?:|mailto:)/i;
const special = new Set(['channel', 'here', 'agents']);

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
md.disable(['image']);
md.validateLink = (url) => {
  // markdown-it hands over the URL percent-encoded; browsers drop tabs, new lines and control characters
  // in URLs (`java\tscript:` is `javascript:`). Judge the decoded URL without them.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const trimmed = safeDecode(url).replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  // Relative links stay in the app; anything with a scheme must be one of the safe ones.
  return safeLink.test(trimmed) || !/^[a-z][a-z0-9+.-]*:/i.test(trimmed);
};

function safeDecode(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  if (token) {
    token.attrSet('target', '_blank');
    token.attrSet('rel', 'noopener noreferrer nofollow');
  }
  return defaultLinkOpen(tokens, idx, options, env, self);
};

function mention(state: StateInline, silent: boolean): boolean {
  if (state.src.charCodeAt(state.pos) !== 0x40 /* @ */) return false;
  const before = state.pos > 0 ? state.src[state.pos - 1] ?? '' : '';
  if (/[\w.@]/.test(before)) return false; // an e-mail address, not a mention
  const match = /^@([a-z0-9][a-z0-9_.-]{0,63})/i.exec(state.src.slice(state.pos));
  if (!match?.[1]) return false;
  const handle = match[1].replace(/[.-]+$/, '');
  const env = state.env as Partial<MarkdownEnv>;
  const lower = handle.toLowerCase();
  if (!special.has(lower) && !env.handles?.has(lower)) return false;
  if (!silent) {
    const token = state.push('mention', '', 0);
    token.content = handle;
    token.meta = { me: env.me?.toLowerCase() === lower || special.has(lower) };
  }
  state.pos += handle.length + 1;
  return true;
}
md.inline.ruler.after('emphasis', 'mention', mention);
md.renderer.rules.mention = (tokens, idx) => {
  const token = tokens[idx];
  if (!token) return '';
  const me = (token.meta as { me?: boolean } | null)?.me ? ' mention-me' : '';
  return `<span class="mention${me}">@${md.utils.escapeHtml(token.content)}</span>`;
};

/** Renders a message body to safe HTML. */
export function renderMarkdown(body: string, env: MarkdownEnv = { handles: new Set(), me: null }): string {
  return md.render(body, { ...env });
}
