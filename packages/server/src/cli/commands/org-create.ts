import { randomBytes } from 'node:crypto';
import { createUser } from '../../accounts/service.js';
import { createOrg } from '../../orgs/service.js';
import { checkOption, defineCommand, handlePattern } from '../command.js';
import { findUser, withRuntime } from '../runtime.js';

export default defineCommand({
  name: 'org create',
  summary: 'create an org and its owner account',
  description: [
    'The owner is the account with --owner-email; it is created when it does not exist yet, with the',
    'password in CHORUS_OWNER_PASSWORD, or a generated one printed once. The org gets #general.',
  ].join('\n'),
  options: {
    name: { type: 'string', placeholder: '<name>', help: "the org's name", required: true },
    slug: { type: 'string', placeholder: '<slug>', help: "the org's address (default: from the name)" },
    'owner-email': { type: 'string', placeholder: '<email>', help: "the owner's email", required: true },
    'owner-name': { type: 'string', placeholder: '<name>', help: "the owner's display name for a new account (default: from the email)" },
    handle: { type: 'string', placeholder: '<handle>', help: "the owner's @handle in the org" },
  },
  async run({ values, env, configFile, out }) {
    const email = values['owner-email'].trim();
    checkOption('owner-email', email, (v) => /^[^\s@]+@[^\s@]+$/.test(v) && v.length <= 254, 'an email address');
    checkOption('slug', values.slug, (v) => handlePattern.test(v), 'lowercase letters, digits, ".", "_" or "-" (up to 32)');
    checkOption('handle', values.handle, (v) => handlePattern.test(v), 'lowercase letters, digits, ".", "_" or "-" (up to 32)');
    checkOption('name', values.name, (v) => v.trim().length > 0 && v.length <= 80, 'a name of 1 to 80 characters');
    const givenPassword = env.CHORUS_OWNER_PASSWORD;
    checkOption('CHORUS_OWNER_PASSWORD', givenPassword, (v) => v.length >= 8 && v.length <= 200, 'a password of 8 to 200 characters');
    return withRuntime({ env, configFile }, async (ctx) => {
      let user = await findUser(ctx, email);
      let password: string | null = null;
      if (!user) {
        password = givenPassword ?? randomBytes(15).toString('base64url');
        const displayName = values['owner-name'] ?? email.split('@')[0] ?? email;
        user = await createUser(ctx, { email, password, display_name: displayName });
      }
      const { org, member } = await createOrg(ctx, user, { name: values.name, slug: values.slug, handle: values.handle });
      const shown = password !== null && givenPassword === undefined ? password : null;
      out.result(
        { org: { id: org.id, slug: org.slug, name: org.name }, owner: { user_id: user.id, member_id: member.id, email: user.email, handle: member.handle, created: password !== null }, ...(shown ? { password: shown } : {}) },
        [
          `Created org ${org.name} (${org.slug}, ${org.id}) owned by ${user.email} (@${member.handle}).`,
          ...(shown ? [`The owner's password (shown once; change it after the first login): ${shown}`] : []),
          ...(password === null ? ['The owner account already existed; its password is unchanged.'] : []),
        ].join('\n'),
      );
      return 0;
    });
  },
});
