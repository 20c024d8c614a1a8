import { findAgent, revokeToken } from '../../agents/service.js';
import { CliError, defineCommand } from '../command.js';
import { orgOptions, personIn, withRuntime } from '../runtime.js';

export default defineCommand({
  name: 'token revoke',
  summary: "revoke an agent's token (and the task tokens claimed with it)",
  description: 'Requests with it fail at once, and the server closes the sockets open with it (every node, with REDIS_URL).',
  options: {
    ...orgOptions,
    token: { type: 'string', placeholder: '<token id>', help: 'the token id (chorus agent token prints it)', required: true },
  },
  async run({ values, env, configFile, out }) {
    return withRuntime({ env, configFile }, async (ctx) => {
      const { org, actor } = await personIn(ctx, values.org, values.as);
      const row = /^[0-9a-f-]{36}$/i.test(values.token)
        ? await ctx.db
            .selectFrom('agent_tokens')
            .innerJoin('members', 'members.id', 'agent_tokens.agent_id')
            .select(['agent_tokens.agent_id', 'agent_tokens.revoked_at'])
            .where('agent_tokens.id', '=', values.token)
            .where('members.org_id', '=', org.id)
            .executeTakeFirst()
        : undefined;
      if (!row) throw new CliError(`no token ${values.token} in ${org.slug}`, 1, 'Give the token id, not its secret.');
      await revokeToken(ctx, actor, await findAgent(ctx, row.agent_id), values.token);
      out.result({ token_id: values.token, revoked: true, already_revoked: row.revoked_at !== null }, row.revoked_at ? `Token ${values.token} was already revoked.` : `Revoked token ${values.token}.`);
      return 0;
    });
  },
});
