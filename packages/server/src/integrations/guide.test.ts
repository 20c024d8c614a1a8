import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { startTestServer } from '../test/server.js';
import { agentOperations, agentTags, typeOf, type OpenApiDocument } from './guide.js';

let server: RunningServer;
let guide: string;
let doc: OpenApiDocument;
beforeAll(async () => {
  server = await startTestServer();
  const api = new Api(server.url);
  const res = await api.get('/agents/guide.md');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
  guide = res.body as string;
  doc = (await api.get('/openapi.json')).body as OpenApiDocument;
});
afterAll(async () => {
  await server.close();
});

/** The guide's section about one operation: from its heading to the next heading. */
function sectionOf(method: string, path: string): string | null {
  const heading = `### \`${method} ${path}\``;
  const start = guide.indexOf(`${heading}\n`);
  if (start < 0) return null;
  const next = guide.slice(start + heading.length).search(/\n##/);
  return next < 0 ? guide.slice(start) : guide.slice(start, start + heading.length + next);
}

/** The parameter rows of a section: name, where, type, required. */
function rowsOf(section: string): string[][] {
  return [...section.matchAll(/^\| `(\w+)` \| (\w+) \| (.*?) \| (yes|no) \|/gm)].map((m) => [m[1]!, m[2]!, m[3]!.replace(/\\\|/g, '|'), m[4]!]);
}

describe('the agent guide', () => {
  it('is public markdown that explains how an agent works with Chorus', () => {
    for (const topic of ['hello', '/claim', '/heartbeat', '/complete', '/fail', '/context', 'audience_violation', 'mentions_only', 'audience: humans', 'X-Chorus-Signature', 'verifyWebhookSignature', '429 rate_limited']) {
      expect(guide, topic).toContain(topic);
    }
  });

  it('has a section for every operation the OpenAPI document tags for agents', () => {
    const ops = agentOperations(doc);
    expect(ops.length).toBeGreaterThan(15);
    for (const tag of agentTags) expect(ops.some(([, , op]) => op.tags?.includes(tag)), tag).toBe(true);
    const missing = ops.filter(([method, path]) => sectionOf(method, path) === null).map(([method, path]) => `${method} ${path}`);
    expect(missing).toEqual([]);
    expect(sectionOf('POST', '/api/v1/tasks/{taskId}/claim')).not.toBeNull();
    expect(sectionOf('GET', '/api/v1/channels/{channelId}/context')).not.toBeNull();
  });

  it("documents exactly each operation's parameters and body fields, as the schema has them", () => {
    for (const [method, path, op] of agentOperations(doc)) {
      const body = op.requestBody?.content?.['application/json']?.schema;
      const expected = [
        ...(op.parameters ?? []).map((p) => [p.name, p.in, typeOf(p.schema), p.required ? 'yes' : 'no']),
        ...Object.entries(body?.properties ?? {}).map(([name, schema]) => [name, 'body', typeOf(schema), body?.required?.includes(name) ? 'yes' : 'no']),
      ];
      expect(rowsOf(sectionOf(method, path) ?? ''), `${method} ${path}`).toEqual(expected);
    }
    // One concrete check against the route as written: posting a message takes `body` (required) and optional `sources`.
    const post = rowsOf(sectionOf('POST', '/api/v1/channels/{channelId}/messages') ?? '');
    expect(post).toContainEqual(['channelId', 'path', 'string (uuid)', 'yes']);
    expect(post).toContainEqual(['body', 'body', 'string (≤ 40000 chars)', 'yes']);
    expect(rowsOf(sectionOf('GET', '/api/v1/agents/{agentId}/webhook/deliveries') ?? '')).toContainEqual(['limit', 'query', 'integer 1–200', 'no']);
    expect(post.find((r) => r[0] === 'sources')?.[3]).toBe('no');
  });
});
