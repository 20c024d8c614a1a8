import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { exportAudit } from '../../audit/service.js';
import { checkOption, defineCommand } from '../command.js';
import { orgOptions, personIn, withRuntime } from '../runtime.js';

const isTime = (v: string) => !Number.isNaN(Date.parse(v));

export default defineCommand({
  name: 'audit export',
  summary: "write an org's audit events as JSON Lines (stdout, or --out)",
  description: 'The export itself is recorded in the audit log. Org admins export everything; a channel owner their channels.',
  options: {
    ...orgOptions,
    out: { type: 'string', placeholder: '<file>', help: 'write to this file instead of stdout' },
    since: { type: 'string', placeholder: '<time>', help: 'from this time (ISO 8601)' },
    until: { type: 'string', placeholder: '<time>', help: 'before this time (ISO 8601)' },
    channel: { type: 'string', placeholder: '<id>', help: "one channel's events" },
    action: { type: 'string', placeholder: '<action>', help: 'one action, e.g. agent.message.read' },
  },
  async run({ values, env, configFile, out }) {
    checkOption('since', values.since, isTime, 'an ISO 8601 time');
    checkOption('until', values.until, isTime, 'an ISO 8601 time');
    return withRuntime({ env, configFile }, async (ctx) => {
      const { actor } = await personIn(ctx, values.org, values.as);
      const target = values.out ? createWriteStream(values.out) : process.stdout;
      let count = 0;
      for await (const line of exportAudit(ctx, actor, { since: values.since, until: values.until, channel_id: values.channel, action: values.action })) {
        count += 1;
        if (!target.write(line)) await once(target, 'drain');
      }
      if (values.out) {
        const file = target as ReturnType<typeof createWriteStream>;
        await new Promise<void>((resolve, reject) => {
          file.end((error?: Error | null) => {
            if (error) reject(error);
            else resolve();
          });
        });
        out.result({ events: count, file: values.out }, `Wrote ${count} audit events to ${values.out}.`);
      } else {
        out.note(`${count} audit events.`);
      }
      return 0;
    });
  },
});
