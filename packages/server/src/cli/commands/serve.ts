import { serverRoles } from '../../config.js';
import { runServer } from '../../run.js';
import { defineCommand } from '../command.js';
import { commandConfig } from '../runtime.js';

export default defineCommand({
  name: 'serve',
  summary: 'run the Chorus server (all of it, or some roles of a cluster node)',
  description: [
    'Applies pending migrations, then serves until SIGTERM or SIGINT, when it shuts down gracefully:',
    'not ready, sockets closed with 4101 going away (clients resume on another node), in-flight',
    'requests, sends and webhook deliveries finished, then the database closed.',
    `Roles: api (HTTP API), gateway (WebSocket), agents (built-in agent host), jobs (sweepers, webhook delivery).`,
  ].join('\n'),
  options: {
    roles: { type: 'string', placeholder: '<list>', help: `which parts run here, comma-separated: ${serverRoles.join(',')} (default all; CHORUS_ROLES)` },
  },
  async run({ values, env, configFile, out }) {
    const config = commandConfig({ env: values.roles === undefined ? env : { ...env, CHORUS_ROLES: values.roles }, configFile });
    const server = await runServer(config);
    out.result({ url: server.url, roles: [...config.roles] }, `Serving at ${server.url}.`);
    return undefined; // the server keeps the process alive until a signal
  },
});
