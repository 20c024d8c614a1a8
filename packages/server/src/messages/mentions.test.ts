import { describe, expect, it } from 'vitest';
import { parseMentions } from './mentions.js';

describe('parseMentions', () => {
  it('finds @handles, lowercased and without duplicates', () => {
    expect(parseMentions('hey @Ana and @bob, @ana again')).toEqual({ handles: ['ana', 'bob'], channel: false, here: false, agents: false });
  });

  it('finds nothing in a body without mentions', () => {
    expect(parseMentions('no one here, just an @ sign and a mail@example.com')).toEqual({ handles: [], channel: false, here: false, agents: false });
  });

  it('recognises @channel (and @everyone), @here and @agents as broadcasts, not handles', () => {
    expect(parseMentions('@channel please read')).toEqual({ handles: [], channel: true, here: false, agents: false });
    expect(parseMentions('@everyone please read')).toMatchObject({ handles: [], channel: true });
    expect(parseMentions('anyone @here?')).toEqual({ handles: [], channel: false, here: true, agents: false });
    expect(parseMentions('@agents summarise this')).toEqual({ handles: [], channel: false, here: false, agents: true });
    expect(parseMentions('@HERE and @Agents')).toMatchObject({ handles: [], here: true, agents: true });
  });

  it('keeps dots, dashes and underscores inside a handle, but not sentence punctuation after it', () => {
    expect(parseMentions('ping @ana.lopez-r_2 now').handles).toEqual(['ana.lopez-r_2']);
    expect(parseMentions('thanks @ana.').handles).toEqual(['ana']);
    expect(parseMentions('thanks @ana...').handles).toEqual(['ana']);
    expect(parseMentions('was it @bob? or @carol!').handles).toEqual(['bob', 'carol']);
    expect(parseMentions("@dan's idea").handles).toEqual(['dan']);
  });

  it('finds mentions at the start, end and next to markdown', () => {
    expect(parseMentions('@ana').handles).toEqual(['ana']);
    expect(parseMentions('**@ana** (@bob)\n> @carol\n- @dan').handles).toEqual(['ana', 'bob', 'carol', 'dan']);
  });

  it('ignores email addresses and @ inside words', () => {
    expect(parseMentions('mail ana@example.com or x@bob').handles).toEqual([]);
    expect(parseMentions('@@ana').handles).toEqual([]);
  });

  it('does not scan inline code or fenced code blocks', () => {
    const body = 'run `notify @ana` then\n```\n@bob @channel\n```\nbut tell @carol';
    expect(parseMentions(body)).toEqual({ handles: ['carol'], channel: false, here: false, agents: false });
    expect(parseMentions('`@here` is a keyword').here).toBe(false);
  });

  it('does not treat a word longer than any handle as a mention of its first 32 characters', () => {
    const handle = 'a'.repeat(32);
    expect(parseMentions(`@${handle}`).handles).toEqual([handle]);
    expect(parseMentions(`thanks @${handle}.`).handles).toEqual([handle]);
    expect(parseMentions(`@${handle}b`).handles).toEqual([]);
    expect(parseMentions(`@${handle}.b`).handles).toEqual([]);
  });
});
