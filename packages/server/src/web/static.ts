import { readdir } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../http/app-type.js';
import { notFoundHandler } from '../http/errors.js';

/**
 * Serves the built web app (packages/web/dist) at `/`: its files as they are,
 * and `index.html` for every other GET outside the API, so the app's own router
 * handles deep links (`/c/<channel>`, `/invite/<token>`). Paths under `/api/`
 * keep the JSON 404.
 *
 * It adds no route: files are answered from the not-found handler, after the
 * API's routes had their chance, so the auth hook and the authorization table
 * see exactly the API. Which files exist is read once at start (the build does
 * not change under a running server), which also rules out path traversal:
 * only names in that list are ever sent.
 */
export async function registerWebApp(app: App, webDir: string | null): Promise<void> {
  const files = webDir ? await listFiles(webDir) : null;
  if (!webDir || !files?.has('index.html')) {
    app.setNotFoundHandler(notFoundHandler);
    return;
  }
  await app.register(fastifyStatic, { root: webDir, serve: false, wildcard: false });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const pathname = decodeURIComponentSafe(request.url.split('?')[0] ?? '/');
    if ((request.method !== 'GET' && request.method !== 'HEAD') || pathname === null || pathname === '/api' || pathname.startsWith('/api/')) {
      notFoundHandler(request, reply);
      return reply;
    }
    const file = pathname.replace(/^\/+/, '');
    if (files.has(file) && file !== 'index.html') {
      // Vite names assets by content hash: they never change under their name.
      const immutable = file.startsWith('assets/');
      return reply.sendFile(file, { maxAge: immutable ? '365d' : 0, immutable });
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  });
}

async function listFiles(root: string): Promise<Set<string> | null> {
  try {
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    const files = new Set<string>();
    for (const e of entries) if (e.isFile()) files.add(path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    return files;
  } catch {
    return null;
  }
}

function decodeURIComponentSafe(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}
