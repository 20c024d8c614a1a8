import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { startTestServer } from '../test/server.js';

/** A built web app of the test's own: an index and one hashed asset. */
let webDir: string;
let server: RunningServer;
beforeAll(async () => {
  webDir = await fs.mkdtemp(path.join(os.tmpdir(), 'chorus-web-'));
  await fs.mkdir(path.join(webDir, 'assets'));
  await fs.writeFile(path.join(webDir, 'index.html'), '<!doctype html><div id="root"></div>');
  await fs.writeFile(path.join(webDir, 'assets', 'index-abc123.js'), 'console.log("app")');
  await fs.writeFile(path.join(webDir, 'secret.txt.bak'), 'x');
  server = await startTestServer({ webDir });
});
afterAll(async () => {
  await server.close();
  await fs.rm(webDir, { recursive: true, force: true });
});

describe('the web app at /', () => {
  it('serves the index at / and for any app path (the app routes it), never cached', async () => {
    for (const url of ['/', '/o/123/c/456', '/invite/abc', '/login?next=%2F']) {
      const res = await fetch(server.url + url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<div id="root">');
    }
  });

  it('serves built assets with a long cache', async () => {
    const res = await fetch(`${server.url}/assets/index-abc123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toMatch(/immutable/);
    expect(await res.text()).toBe('console.log("app")');
  });

  it('keeps the API as it was: its routes, and a JSON 404 for unknown API paths', async () => {
    const health = await fetch(`${server.url}/api/v1/health`);
    expect(await health.json()).toEqual({ status: 'ok', database: 'ok' });
    for (const url of ['/api/v1/nope', '/api', '/api/other']) {
      const res = await fetch(server.url + url);
      expect(res.status, url).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
    }
    const post = await fetch(`${server.url}/o/123`, { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('never leaves the folder: traversal attempts get the index', async () => {
    for (const url of ['/../package.json', '/assets/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd']) {
      const res = await fetch(server.url + url);
      expect(await res.text(), url).toContain('<div id="root">');
    }
  });
});

describe('without a built web app', () => {
  it('answers the API only', async () => {
    const bare = await startTestServer({ webDir: path.join(webDir, 'missing') });
    try {
      const res = await fetch(`${bare.url}/`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
    } finally {
      await bare.close();
    }
  });
});
