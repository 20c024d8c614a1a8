import { AgentHost } from '../../agent-host/host.js';
import { outboundAllow } from '../../config.js';
import { connect } from '../../db/database.js';
import { defineCommand, usageError } from '../command.js';

export default defineCommand({
  name: 'agent-host',
  summary: 'run the built-in agents as their own process',
  description: [
    'Reads the built-in agents from the database at DATABASE_URL and connects them to the server at',
    'CHORUS_URL (default http://localhost:3000); LLM agents read their API keys from this environment.',
    'Run the server with CHORUS_AGENT_HOST=0 (or without the agents role). CHORUS_AGENT_HOST_ORGS',
    "(org ids, comma-separated) limits it to those orgs' agents. An LLM agent's base_url reaches an",
    'internal address only when CHORUS_OUTBOUND_ALLOW names it. Runs until SIGINT or SIGTERM.',
  ].join('\n'),
  options: {},
  async run({ env, out }) {
    if (!env.DATABASE_URL) throw usageError('DATABASE_URL must name the Chorus database (the agent host reads the built-in agents there).');
    const url = env.CHORUS_URL ?? 'http://localhost:3000';
    const db = connect(env.DATABASE_URL, 2);
    const orgs = env.CHORUS_AGENT_HOST_ORGS ? new Set(env.CHORUS_AGENT_HOST_ORGS.split(',').map((id) => id.trim())) : null;
    const host = new AgentHost({
      db,
      url,
      publicUrl: env.CHORUS_PUBLIC_URL ?? url,
      pollMs: 10_000,
      env,
      outboundAllow: outboundAllow(env),
      ...(orgs ? { accept: (agent: { org_id: string }) => orgs.has(agent.org_id) } : {}),
      onError: (error, agentId) => { process.stderr.write(`agent ${agentId}: ${error instanceof Error ? error.message : String(error)}\n`); },
    });
    await host.start();
    out.result({ url }, `chorus agent-host: running the built-in agents against ${url}`);
    const stop = () => void host.stop().then(() => db.destroy()).then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return undefined;
  },
});
