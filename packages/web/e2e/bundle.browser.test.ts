import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { webDist } from './app.js';

const budget = 300 * 1024;

/** The initial JavaScript: the entry script of index.html and every chunk it preloads, gzipped. */
it('keeps the initial JavaScript under 300 KB gzipped', () => {
  const html = fs.readFileSync(path.join(webDist, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\/([^"]+\.js)"/g)].map((m) => m[1] ?? '');
  expect(scripts.length).toBeGreaterThan(0);
  const sizes = scripts.map((file) => ({ file, gzip: gzipSync(fs.readFileSync(path.join(webDist, file)), { level: 9 }).length }));
  const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
  console.log(`[web bundle] initial JS ${(total / 1024).toFixed(1)} KB gzipped: ${sizes.map((s) => `${s.file} ${(s.gzip / 1024).toFixed(1)} KB`).join(', ')}`);
  expect(total).toBeLessThan(budget);
});

/** axe-core is for the accessibility tests only: no chunk of the app, initial or lazy, carries it. */
it('ships no axe-core', () => {
  const chunks = fs.readdirSync(path.join(webDist, 'assets')).filter((f) => f.endsWith('.js'));
  const withAxe = chunks.filter((f) => /Deque Systems|axe v\d/.test(fs.readFileSync(path.join(webDist, 'assets', f), 'utf8')));
  expect(withAxe).toEqual([]);
});
