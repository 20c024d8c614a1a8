import { describe, expect, it } from 'vitest';
import { isDecision, isQuestion, parseWindow } from './digest.js';
import { citedSources } from './llm-agent.js';

const id = '123e4567-e89b-12d3-a456-426614174000';
const other = '223e4567-e89b-12d3-a456-426614174000';

describe('the digest window and markers', () => {
  it('reads 24h by default, hours, days up to 90, and thread; anything else is refused', () => {
    expect(parseWindow(null)).toEqual({ kind: 'since', label: '24h', ms: 86_400_000 });
    expect(parseWindow(' 6H ')).toEqual({ kind: 'since', label: '6h', ms: 6 * 3_600_000 });
    expect(parseWindow('7d')).toEqual({ kind: 'since', label: '7d', ms: 7 * 86_400_000 });
    expect(parseWindow('thread')).toEqual({ kind: 'thread' });
    for (const bad of ['0h', '91d', 'forever', '7 d', '-1d', '1w']) expect(parseWindow(bad), bad).toBeNull();
  });

  it('marks decisions and questions', () => {
    expect(isDecision('We decided to ship Monday')).toBe(true);
    expect(isDecision('Agreed, going with Postgres')).toBe(true);
    expect(isDecision('undecided for now')).toBe(false);
    expect(isQuestion('Who owns this?')).toBe(true);
    expect(isQuestion('It works.')).toBe(false);
  });
});

describe('LLM citations', () => {
  it('keeps only the tags that were in the bundle, once each, in order', () => {
    const ids = new Set([`[msg:${id}]`, `[doc:${other}]`]);
    const answer = `See [doc:${other}] and [msg:${id}], again [msg:${id}]; not [msg:${other}] nor [exp:${id}] nor [msg:nope].`;
    expect(citedSources(answer, ids)).toEqual([
      { type: 'doc', id: other },
      { type: 'message', id },
    ]);
  });
});
