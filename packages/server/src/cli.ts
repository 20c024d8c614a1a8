#!/usr/bin/env node
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { RestClient } from '@chorus/sdk';
import { buildMcpServer, TaskTokens } from './mcp/tools.js';
import { AgentHost } from './agent-host/host.js';
import { connect } from './db/database.js';
import { exportCommand } from './cli/commands/export.js';
import { importCommand } from './cli/commands/import.js';
import { complianceExportCommand } from './cli/commands/compliance-export.js';

const usage = `chorus — command line for Chorus

  chorus mcp    an MCP server on stdio for an agent: its tools act on the Chorus server at
                CHORUS_URL (default http://localhost:3000) with the agent token in CHORUS_TOKEN
  chorus agent-host
                runs the built-in agents as its own process: it reads them from the database at
                DATABASE_URL and connects them to the server at CHORUS_URL; LLM agents read their API
                keys from this process's environment. Run the server with CHORUS_AGENT_HOST=0.
                CHORUS_AGENT_HOST_ORGS (org ids, comma-separated) limits it to those orgs' agents.
  chorus export --org <id|slug> [--channel <id>] --out <file.tar.gz>
                writes an org or a channel to a portable archive (docs/BACKUP.md)
  chorus import --in <file.tar.gz>
                restores an archive into an empty instance
  chorus compliance-export --org <id|slug> [--channel <id>] --from <time> --to <time> --out <file.jsonl>
                messages and agent activity in a time range, as JSON Lines
  Each takes --help and --json.
`;

/** `chorus mcp`: the agent's tools over stdio, for MCP hosts that start a process (Claude Code, IDEs). */
async function mcp(env: NodeJS.ProcessEnv): Promise<void> {
  const token = env.CHORUS_TOKEN;
  if (!token) throw new Error('CHORUS_TOKEN must hold an agent token (cha_…).');
  const server = buildMcpServer(new RestClient(env.CHORUS_URL ?? 'http://localhost:3000', token), new TaskTokens());
  await server.connect(new StdioServerTransport());
}

/** `chorus agent-host`: the built-in agents in their own process, until SIGINT or SIGTERM. */
async function agentHost(env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL must name the Chorus database (the agent host reads the built-in agents there).');
  const url = env.CHORUS_URL ?? 'http://localhost:3000';
  const db = connect(env.DATABASE_URL, 2);
  const orgs = env.CHORUS_AGENT_HOST_ORGS ? new Set(env.CHORUS_AGENT_HOST_ORGS.split(',').map((id) => id.trim())) : null;
  const host = new AgentHost({
    db,
    url,
    publicUrl: env.CHORUS_PUBLIC_URL ?? url,
    pollMs: 10_000,
    env,
    ...(orgs ? { accept: (agent: { org_id: string }) => orgs.has(agent.org_id) } : {}),
    onError: (error, agentId) => { process.stderr.write(`agent ${agentId}: ${error instanceof Error ? error.message : String(error)}\n`); },
  });
  await host.start();
  process.stdout.write(`chorus agent-host: running the built-in agents against ${url}\n`);
  const stop = () => void host.stop().then(() => db.destroy()).then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const [command, ...rest] = process.argv.slice(2);
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
try {
  // process.exit, not exitCode: the embedded PostgreSQL's exit hook (async-exit-hook) would end the process with 0.
  if (command === 'export') process.exit(await exportCommand(rest, io));
  else if (command === 'import') process.exit(await importCommand(rest, io));
  else if (command === 'compliance-export') process.exit(await complianceExportCommand(rest, io));
  else if (command === 'mcp') await mcp(process.env);
  else if (command === 'agent-host') await agentHost(process.env);
  else {
    process.stdout.write(usage);
    process.exitCode = command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
} catch (error) {
  process.stderr.write(`chorus: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
