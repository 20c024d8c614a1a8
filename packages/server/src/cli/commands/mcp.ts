import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { RestClient } from '@chorus/sdk';
import { buildMcpServer, TaskTokens } from '../../mcp/tools.js';
import { defineCommand, usageError } from '../command.js';

export default defineCommand({
  name: 'mcp',
  summary: "an MCP server on stdio for an agent (CHORUS_URL, CHORUS_TOKEN)",
  description: [
    "For MCP hosts that start a process (Claude Code, IDEs): the agent's tools act on the Chorus server",
    'at CHORUS_URL (default http://localhost:3000) with the agent token in CHORUS_TOKEN.',
  ].join('\n'),
  options: {},
  async run({ env }) {
    const token = env.CHORUS_TOKEN;
    if (!token) throw usageError('CHORUS_TOKEN must hold an agent token (cha_…).');
    const server = buildMcpServer(new RestClient(env.CHORUS_URL ?? 'http://localhost:3000', token), new TaskTokens());
    await server.connect(new StdioServerTransport());
    return undefined;
  },
});
