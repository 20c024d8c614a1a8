#!/usr/bin/env node
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { RestClient } from '@chorus/sdk';
import { buildMcpServer, TaskTokens } from './mcp/tools.js';

const usage = `chorus — command line for Chorus

  chorus mcp    an MCP server on stdio for an agent: its tools act on the Chorus server at
                CHORUS_URL (default http://localhost:3000) with the agent token in CHORUS_TOKEN
`;

/** `chorus mcp`: the agent's tools over stdio, for MCP hosts that start a process (Claude Code, IDEs). */
async function mcp(env: NodeJS.ProcessEnv): Promise<void> {
  const token = env.CHORUS_TOKEN;
  if (!token) throw new Error('CHORUS_TOKEN must hold an agent token (cha_…).');
  const server = buildMcpServer(new RestClient(env.CHORUS_URL ?? 'http://localhost:3000', token), new TaskTokens());
  await server.connect(new StdioServerTransport());
}

const [command] = process.argv.slice(2);
try {
  if (command === 'mcp') await mcp(process.env);
  else {
    process.stdout.write(usage);
    process.exitCode = command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
} catch (error) {
  process.stderr.write(`chorus: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
