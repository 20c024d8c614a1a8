import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../config.js';
import type { GatewayLimits } from '../realtime/gateway.js';
import { startServer, type RunningServer } from '../server.js';

export type ConfigOverrides = Partial<Omit<Config, 'rateLimits' | 'files'>> & { rateLimits?: Partial<Config['rateLimits']>; files?: Partial<Config['files']> };

/** A Chorus server on the test run's database, on a free port, with logs silenced. */
export async function startTestServer(overrides: ConfigOverrides = {}, limits: Partial<GatewayLimits> = {}): Promise<RunningServer> {
  const base = loadConfig({});
  const config: Config = {
    ...base,
    host: '127.0.0.1',
    port: 0,
    databaseUrl: inject('databaseUrl'),
    logLevel: process.env.CHORUS_TEST_LOG ?? 'silent',
    // Test servers share one database: only a test that starts its own agent host runs built-in agents.
    agentHost: { enabled: false, pollSeconds: 0 },
    // Tests run retention themselves (runRetention), at the moment they choose.
    retention: { ...base.retention, intervalSeconds: 0 },
    // Webhook receivers and model stand-ins listen on loopback; outbound/ tests a server that allows nothing.
    outbound: { allow: ['127.0.0.1'] },
    ...overrides,
    // Each server's files in a directory of its own; tests run the file sweep themselves.
    files: { ...base.files, dir: mkdtempSync(path.join(os.tmpdir(), 'chorus-files-')), sweepSeconds: 0, ...overrides.files },
    rateLimits: { ...base.rateLimits, loginPerMinute: 1000, signupsPerMinute: 10_000, messagesPerMinute: 10_000, ...overrides.rateLimits },
  };
  return startServer(config, limits);
}
