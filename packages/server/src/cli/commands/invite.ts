import { createInvite } from '../../orgs/invites.js';
import { checkOption, defineCommand, intOption } from '../command.js';
import { orgOptions, personIn, withRuntime } from '../runtime.js';

const roles = ['member', 'admin', 'guest'] as const;

export default defineCommand({
  name: 'invite',
  summary: 'create an invite link to an org',
  description: 'The link is shown once; whoever opens it signs up (or logs in) and joins with the role.',
  options: {
    ...orgOptions,
    role: { type: 'string', placeholder: '<role>', help: 'member, admin or guest (default member)' },
    'expires-hours': { type: 'string', placeholder: '<hours>', help: 'how long the link works (default 168, at most 720)' },
    'max-uses': { type: 'string', placeholder: '<n>', help: 'how many people may use it (default 1, at most 1000)' },
  },
  async run({ values, env, configFile, out }) {
    checkOption('role', values.role, (v) => (roles as readonly string[]).includes(v), roles.join(', '));
    const role = (values.role ?? 'member') as (typeof roles)[number];
    const expires = intOption('expires-hours', values['expires-hours'], 24 * 7, 1, 24 * 30);
    const maxUses = intOption('max-uses', values['max-uses'], 1, 1, 1000);
    return withRuntime({ env, configFile }, async (ctx) => {
      const { org, actor } = await personIn(ctx, values.org, values.as);
      const { invite, url } = await createInvite(ctx, actor, { role, expires_in_hours: expires, max_uses: maxUses });
      out.result(
        { invite: { id: invite.id, org_id: org.id, role: invite.role, expires_at: invite.expires_at.toISOString(), max_uses: invite.max_uses }, url },
        `Invite to ${org.slug} as ${invite.role} (${maxUses} use${maxUses > 1 ? 's' : ''}, until ${invite.expires_at.toISOString()}):\n${url}`,
      );
      return 0;
    });
  },
});
