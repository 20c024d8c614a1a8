import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'chorus-config-'));
let n = 0;
function file(content: unknown): string {
  const p = path.join(dir, `chorus-${n++}.json`);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

function failure(fn: () => unknown): { setting: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return { setting: error.setting, message: error.message };
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('reads a config file named by CHORUS_CONFIG, with the environment over it', () => {
    const config = loadConfig({
      CHORUS_CONFIG: file({ PORT: 4000, DATABASE_URL: 'postgres://db.internal/chorus', CHORUS_AGENT_HOST: false, CHORUS_WS_MAX_CONNECTIONS: 1000, LOG_LEVEL: 'warn' }),
      PORT: '5000',
    });
    expect({ port: config.port, db: config.databaseUrl, agentHost: config.agentHost.enabled, maxConnections: config.ws.maxConnections, logLevel: config.logLevel }).toEqual({
      port: 5000,
      db: 'postgres://db.internal/chorus',
      agentHost: false,
      maxConnections: 1000,
      logLevel: 'warn',
    });
  });

  it('takes the file from the argument (--config) as well', () => {
    expect(loadConfig({}, file({ CHORUS_PUBLIC_URL: 'https://chat.example.com' })).publicUrl).toBe('https://chat.example.com');
  });

  it('names unknown keys in the file', () => {
    const f = file({ PORT: 3000, DATABSE_URL: 'postgres://x/y', CHORUS_WS_MAX_CONECTIONS: 5 });
    expect(failure(() => loadConfig({}, f))).toEqual({ setting: 'DATABSE_URL, CHORUS_WS_MAX_CONECTIONS', message: `DATABSE_URL, CHORUS_WS_MAX_CONECTIONS: unknown settings in ${f}` });
  });

  it('names the bad setting, whether it came from the file or the environment', () => {
    expect(failure(() => loadConfig({}, file({ CHORUS_WS_HEARTBEAT_MS: 'soon' }))).setting).toBe('CHORUS_WS_HEARTBEAT_MS');
    expect(failure(() => loadConfig({ REDIS_URL: 'http://cache:6379' }))).toEqual({ setting: 'REDIS_URL', message: 'REDIS_URL: must start with redis: or rediss:' });
    expect(failure(() => loadConfig({ LOG_LEVEL: 'loud' })).setting).toBe('LOG_LEVEL');
    expect(failure(() => loadConfig({ CHORUS_METRICS_TOKEN: 'short' })).setting).toBe('CHORUS_METRICS_TOKEN');
    expect(failure(() => loadConfig({}, file({ PORT: { value: 1 } }))).setting).toBe('PORT');
  });

  it('refuses a file it cannot read or parse, naming CHORUS_CONFIG', () => {
    expect(failure(() => loadConfig({}, path.join(dir, 'missing.json')))).toMatchObject({ setting: 'CHORUS_CONFIG', message: expect.stringContaining('ENOENT') as string });
    expect(failure(() => loadConfig({}, file('{ "PORT": 3000,'))).message).toMatch(/^CHORUS_CONFIG: .* is not valid JSON/);
    expect(failure(() => loadConfig({}, file([1, 2]))).message).toMatch(/must hold a JSON object$/);
  });

  it('reads the server roles, all by default', () => {
    expect([...loadConfig({}).roles].sort()).toEqual(['agents', 'api', 'gateway', 'jobs']);
    expect([...loadConfig({ CHORUS_ROLES: 'api, gateway' }).roles]).toEqual(['api', 'gateway']);
    expect(failure(() => loadConfig({ CHORUS_ROLES: 'api,web' }))).toEqual({ setting: 'CHORUS_ROLES', message: 'CHORUS_ROLES: expected a comma-separated list of api, gateway, agents, jobs; unknown: web' });
  });

  it('reads the internal hosts outbound requests may reach, none by default', () => {
    expect(loadConfig({}).outbound.allow).toEqual([]);
    expect(loadConfig({ CHORUS_OUTBOUND_ALLOW: 'localhost, 10.0.0.0/8,,fd00::1' }).outbound.allow).toEqual(['localhost', '10.0.0.0/8', 'fd00::1']);
    expect(failure(() => loadConfig({ CHORUS_OUTBOUND_ALLOW: 'localhost,10.0.0.0/40' }))).toEqual({ setting: 'CHORUS_OUTBOUND_ALLOW', message: 'CHORUS_OUTBOUND_ALLOW: "10.0.0.0/40" is not a valid address range.' });
  });
});
