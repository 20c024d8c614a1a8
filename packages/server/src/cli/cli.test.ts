import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.js';
import { Api } from '../test/client.js';
import { unique } from '../test/fixtures.js';
import { startTestServer } from '../test/server.js';
import { chorus, dataDir } from '../test/cli.js';
import { openSocket } from '../test/sockets.js';
import { CloseCode } from '@chorus/protocol/frames';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

// Each run starts a Node process that loads the server's modules from TypeScript: slow on a busy machine.
describe('chorus, the command line', { timeout: 600_000 }, () => {
  it('lists its commands, explains each with --help, and refuses bad usage with exit code 2', async () => {
    const [overview, help, unknown, missing, badOption, badConfig, badFile] = await Promise.all([
      chorus(['--help']),
      chorus(['invite', '--help']),
      chorus(['frobnicate']),
      chorus(['invite', '--json']),
      chorus(['invite', '--org', 'x', '--role', 'king']),
      chorus(['migrate', '--status'], { LOG_LEVEL: 'loud' }),
      chorus(['doctor', '--json', '--config', path.join(dataDir, 'nope.json')]),
    ]);
    expect(overview.code).toBe(0);
    for (const name of ['serve', 'migrate', 'org create', 'invite', 'agent create', 'agent token', 'token revoke', 'audit verify', 'audit export', 'doctor', 'mcp', 'agent-host']) expect(overview.stdout).toContain(`  ${name} `);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--role <role>');
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "frobnicate"') });
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stderr)).toEqual({ error: { message: 'missing --org', hint: 'chorus invite --help lists the options.' } });
    expect(badOption).toMatchObject({ code: 2, stderr: expect.stringContaining('--role: expected member, admin, guest, got "king"') });
    expect(badConfig).toMatchObject({ code: 2, stderr: expect.stringContaining('LOG_LEVEL: expected one of') });
    expect(badFile.code).toBe(2);
    expect(badFile.json.checks).toEqual([expect.objectContaining({ check: 'configuration', status: 'fail', detail: expect.stringContaining('CHORUS_CONFIG: cannot read') })]);
  });

  it('reports migrations as applied, and doctor says what is wrong and how to fix it', async () => {
    const configFile = path.join(dataDir, 'chorus.json');
    writeFileSync(configFile, JSON.stringify({ REDIS_URL: 'redis://127.0.0.1:1' }));
    const [status, migrate, doctor] = await Promise.all([chorus(['migrate', '--status', '--json']), chorus(['migrate']), chorus(['doctor', '--json', '--config', configFile])]);
    expect(status.code).toBe(0);
    expect(status.json.pending).toEqual([]);
    expect(status.json.migrations.length).toBeGreaterThan(5);
    expect(migrate).toMatchObject({ code: 0, stdout: 'Nothing to apply: the database is up to date.\n' });
    expect(doctor.code).toBe(1);
    const checks = Object.fromEntries((doctor.json.checks as { check: string; status: string; fix?: string }[]).map((c) => [c.check, c]));
    expect(checks).toMatchObject({ database: { status: 'ok' }, migrations: { status: 'ok' }, storage: { status: 'ok' }, redis: { status: 'fail', fix: expect.stringContaining('REDIS_URL') } });
  });

  it('creates an org with its owner, an invite, an agent and its token, revokes the token, and verifies and exports the audit log', async () => {
    const slug = unique('cli').toLowerCase().slice(0, 30);
    const email = `${slug}@example.test`;
    const org = await chorus(['org', 'create', '--name', 'CLI Org', '--slug', slug, '--owner-email', email, '--json'], { CHORUS_OWNER_PASSWORD: 'a long passphrase' });
    expect(org.code, org.stderr).toBe(0);
    expect(org.json).toMatchObject({ org: { slug, name: 'CLI Org' }, owner: { email, created: true } });
    expect(org.json.password).toBeUndefined();
    // The operator made the account; no session was opened on it for anyone.
    expect(await server.ctx.db.selectFrom('sessions').select('id').where('user_id', '=', org.json.owner.user_id).execute()).toEqual([]);
    const login = await new Api(server.url).post('/auth/login', { email, password: 'a long passphrase' });
    expect(login.status).toBe(200);

    const [invite, agent, taken] = await Promise.all([
      chorus(['invite', '--org', slug, '--role', 'guest', '--max-uses', '3', '--json']),
      chorus(['agent', 'create', '--org', slug, '--handle', 'helper', '--name', 'Helper', '--json']),
      chorus(['org', 'create', '--name', 'Again', '--slug', slug, '--owner-email', email]),
    ]);
    expect(invite.code, invite.stderr).toBe(0);
    expect(invite.json.url).toMatch(/^https:\/\/chat\.example\.test\/invite\/chi_/);
    const preview = await new Api(server.url).get(`/invites/${String(invite.json.url).split('/').pop()}`);
    expect(preview).toMatchObject({ status: 200, body: { role: 'guest' } });
    expect(agent.code, agent.stderr).toBe(0);
    expect(agent.json.agent).toMatchObject({ handle: 'helper', sponsor_id: org.json.owner.member_id });
    expect(taken).toMatchObject({ code: 1, stderr: expect.stringContaining('slug_taken') });

    const token = await chorus(['agent', 'token', '--org', slug, '--agent', 'helper', '--scopes', 'messages:read,channels:read', '--json']);
    expect(token.code, token.stderr).toBe(0);
    const agentApi = new Api(server.url, token.json.secret);
    expect(await agentApi.get('/agents/me')).toMatchObject({ status: 200, body: { agent: { handle: 'helper' }, scopes: ['messages:read', 'channels:read'] } });

    // A socket open with the token is closed by the server the command revoked it beside (no Redis here).
    const socket = await openSocket(server.url, token.json.secret, org.json.org.id);
    const revoked = await chorus(['token', 'revoke', '--org', slug, '--token', token.json.token.id, '--json']);
    expect(revoked).toMatchObject({ code: 0, json: { revoked: true, already_revoked: false } });
    expect((await agentApi.get('/agents/me')).status).toBe(401);
    const closed = await socket.until(() => socket.frames.find((f) => f.type === 'closed'));
    expect(closed).toMatchObject({ code: CloseCode.Unauthorized });
    socket.close();

    const out = path.join(dataDir, `${slug}-audit.jsonl`);
    const [verify, exported, stranger] = await Promise.all([
      chorus(['audit', 'verify', '--org', slug, '--json']),
      chorus(['audit', 'export', '--org', slug, '--out', out, '--json']),
      chorus(['audit', 'verify', '--org', slug, '--as', 'nobody@example.test']),
    ]);
    expect(verify).toMatchObject({ code: 0, json: { ok: true } });
    expect(exported.code, exported.stderr).toBe(0);
    const actions = readFileSync(out, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { action: string }).action);
    expect(actions).toEqual(expect.arrayContaining(['invite.created', 'agent.created', 'agent.token_issued', 'agent.token_revoked']));
    expect(stranger).toMatchObject({ code: 1, stderr: expect.stringContaining('nobody@example.test is not a member') });
  });
});
