import { createAgent } from '../../agents/service.js';
import { checkOption, defineCommand, handlePattern } from '../command.js';
import { orgOptions, personIn, withRuntime } from '../runtime.js';

export default defineCommand({
  name: 'agent create',
  summary: 'create an agent sponsored by a person of the org',
  description: 'The sponsor is --as (default: the first owner): the person accountable for the agent.\nIssue it a token with chorus agent token.',
  options: {
    ...orgOptions,
    handle: { type: 'string', placeholder: '<handle>', help: "the agent's @handle", required: true },
    name: { type: 'string', placeholder: '<name>', help: "the agent's display name (default: the handle)" },
    description: { type: 'string', placeholder: '<text>', help: 'what the agent does' },
  },
  async run({ values, env, configFile, out }) {
    checkOption('handle', values.handle, (v) => handlePattern.test(v), 'lowercase letters, digits, ".", "_" or "-" (up to 32)');
    checkOption('name', values.name, (v) => v.trim().length > 0 && v.length <= 80, 'a name of 1 to 80 characters');
    checkOption('description', values.description, (v) => v.length <= 2000, 'at most 2000 characters');
    return withRuntime({ env, configFile }, async (ctx) => {
      const { org, actor } = await personIn(ctx, values.org, values.as);
      const agent = await createAgent(ctx, actor, { handle: values.handle, display_name: values.name ?? values.handle, description: values.description });
      out.result(
        { agent: { id: agent.id, org_id: org.id, handle: agent.handle, display_name: agent.display_name, sponsor_id: agent.sponsor_id } },
        `Created agent @${agent.handle} (${agent.id}) in ${org.slug}, sponsored by @${actor.member.handle}.\nGive it a token: chorus agent token --org ${org.slug} --agent ${agent.handle}`,
      );
      return 0;
    });
  },
});
