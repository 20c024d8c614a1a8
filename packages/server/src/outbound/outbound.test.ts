import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedFetch, requestFailure } from './fetch.js';
import { OutboundRules } from './rules.js';

describe('outbound rules', () => {
  it('refuse internal addresses, as written or mapped, and localhost; leave public addresses and names to the connection', () => {
    const rules = new OutboundRules();
    for (const host of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '[::1]', '::ffff:127.0.0.1', '[fd00::1]', '[fe80::1]', 'localhost', 'db.localhost']) {
      expect(rules.refusal(host), host).toMatch(/is an internal address; Chorus reaches internal addresses only when the server's CHORUS_OUTBOUND_ALLOW names them\.$/);
    }
    for (const host of ['93.184.216.34', '8.8.8.8', '[2606:4700::1111]', 'api.openai.com', 'hooks.example.test']) expect(rules.refusal(host), host).toBeNull();
    expect(rules.refusal('hooks.example.test', '10.0.0.7')).toBe('hooks.example.test (10.0.0.7) is an internal address; Chorus reaches internal addresses only when the server\'s CHORUS_OUTBOUND_ALLOW names them.');
    expect(rules.refusalForUrl(new URL('http://[::1]:8080/x'))).not.toBeNull();
  });

  it('let the operator allow host names, addresses and ranges, and refuse anything else in the list', () => {
    const rules = new OutboundRules(['llm.internal', '127.0.0.1', '10.20.0.0/16', 'fd00::/8']);
    expect(rules.refusal('127.0.0.1')).toBeNull();
    expect(rules.refusal('localhost')).toBeNull();
    expect(rules.refusal('127.0.0.2')).not.toBeNull();
    expect(rules.refusal('10.20.3.4')).toBeNull();
    expect(rules.refusal('10.21.3.4')).not.toBeNull();
    expect(rules.refusal('[fd12::1]')).toBeNull();
    expect(rules.refusal('LLM.internal', '192.168.5.5')).toBeNull();
    expect(rules.refusal('other.internal', '192.168.5.5')).not.toBeNull();
    for (const bad of ['10.0.0.0/33', 'http://x', '10.0.0.0/8/1', 'a b', '10.0.0.0/x']) expect(() => new OutboundRules([bad]), bad).toThrow(/not a valid address range|neither a host name/);
  });
});

describe('a guarded fetch', () => {
  let server: http.Server;
  let port = 0;
  const seen: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(`${req.headers.host ?? ''}${req.url ?? ''}`);
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://127.0.0.2:${port}/elsewhere` }).end();
        return;
      }
      res.end('hello');
    });
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => { resolve(); })));

  /** A name whose DNS answer is a loopback address, as a rebinding attacker's would be. */
  const rebinding = (hostname: string, options: object, callback: (error: null, addresses: { address: string; family: number }[]) => void) => {
    callback(null, hostname === 'hooks.example.test' ? [{ address: '127.0.0.1', family: 4 }] : []);
  };

  async function attempt(allow: string[], url: string): Promise<string> {
    const guarded = guardedFetch(new OutboundRules(allow), rebinding);
    try {
      const res = await guarded.fetch(url);
      return `${res.status} ${await res.text()}`;
    } catch (error) {
      return requestFailure(error);
    } finally {
      await guarded.close();
    }
  }

  it('does not connect to an internal address, by address or by name, and connects once the operator allows it', async () => {
    seen.length = 0;
    expect(await attempt([], `http://127.0.0.1:${port}/a`)).toMatch(/^127\.0\.0\.1 is an internal address/);
    expect(await attempt([], `http://localhost:${port}/b`)).toMatch(/^localhost \(127\.0\.0\.1\) is an internal address/);
    expect(await attempt([], `http://hooks.example.test:${port}/c`)).toMatch(/^hooks\.example\.test \(127\.0\.0\.1\) is an internal address/);
    expect(seen).toEqual([]);
    expect(await attempt(['127.0.0.1'], `http://127.0.0.1:${port}/d`)).toBe('200 hello');
    expect(await attempt(['hooks.example.test'], `http://hooks.example.test:${port}/e`)).toBe('200 hello');
    expect(await attempt(['127.0.0.0/8'], `http://hooks.example.test:${port}/f`)).toBe('200 hello');
    expect(seen).toEqual([`127.0.0.1:${port}/d`, `hooks.example.test:${port}/e`, `hooks.example.test:${port}/f`]);
  });

  it('judges every hop of a redirect', async () => {
    seen.length = 0;
    expect(await attempt(['127.0.0.1'], `http://127.0.0.1:${port}/redirect`)).toMatch(/^127\.0\.0\.2 is an internal address/);
    expect(seen).toEqual([`127.0.0.1:${port}/redirect`]);
  });
});
