import { findAgent, issueToken } from '../../agents/service.js';
import { agentScopes, type Scope } from '../../policy/actor.js';
import { CliError, defineCommand, intOption, usageError } from '../command.js';
import { orgOptions, personIn, withRuntime } from '../runtime.js';

export default defineCommand({
  name: 'agent token',
  summary: "issue a token to an agent (the secret is shown once)",
  description: "Only the agent's sponsor or an org admin may (--as). Revoke it with chorus token revoke.",
  options: {
    ...orgOptions,
    agent: { type: 'string', placeholder: '<handle|id>', help: 'the agent', required: true },
    name: { type: 'string', placeholder: '<name>', help: 'what the token is for (default "cli")' },
    scopes: { type: 'string', placeholder: '<list>', help: `comma-separated, default all: ${agentScopes.join(',')}` },
    'expires-days': { type: 'string', placeholder: '<days>', help: 'expiry in days (default: never, at most 3650)' },
  },
  async run({ values, env, configFile, out }) {
    const scopes = values.scopes === undefined ? [...agentScopes] : values.scopes.split(',').map((s) => s.trim());
    const unknown = scopes.filter((s) => !(agentScopes as readonly string[]).includes(s));
    if (unknown.length > 0 || scopes.length === 0) throw usageError(`--scopes: unknown ${unknown.join(', ') || '(none given)'}; expected some of ${agentScopes.join(', ')}`);
    const expires = values['expires-days'] === undefined ? undefined : intOption('expires-days', values['expires-days'], 0, 1, 3650);
    const name = values.name ?? 'cli';
    if (name.length === 0 || name.length > 80) throw usageError('--name: expected 1 to 80 characters');
    return withRuntime({ env, configFile }, async (ctx) => {
      const { org, actor } = await personIn(ctx, values.org, values.as);
      const ref = values.agent.replace(/^@/, '');
      const row = await ctx.db
        .selectFrom('members')
        .innerJoin('agents', 'agents.member_id', 'members.id')
        .select('members.id')
        .where('members.org_id', '=', org.id)
        .where((eb) => (/^[0-9a-f-]{36}$/i.test(ref) ? eb('members.id', '=', ref) : eb('members.handle', '=', ref)))
        .executeTakeFirst();
      if (!row) throw new CliError(`no agent "${values.agent}" in ${org.slug}`);
      const agent = await findAgent(ctx, row.id);
      const { token, secret } = await issueToken(ctx, actor, agent, { name, scopes: scopes as Scope[], expires_in_days: expires });
      out.result(
        { token: { id: token.id, agent_id: agent.id, name: token.name, scopes: token.scopes, expires_at: token.expires_at?.toISOString() ?? null }, secret },
        `Token ${token.id} for @${agent.handle} (${token.scopes.join(', ')}${token.expires_at ? `, until ${token.expires_at.toISOString()}` : ''}).\nThe secret, shown once:\n${secret}`,
      );
      return 0;
    });
  },
});
