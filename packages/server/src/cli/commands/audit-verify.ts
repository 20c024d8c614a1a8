import { verifyAudit } from '../../audit/service.js';
import { defineCommand, ExitCode } from '../command.js';
import { orgOptions, personIn, withRuntime } from '../runtime.js';

export default defineCommand({
  name: 'audit verify',
  summary: "check an org's audit chain; exit 1 when it is broken",
  options: { ...orgOptions },
  async run({ values, env, configFile, out }) {
    return withRuntime({ env, configFile }, async (ctx) => {
      const { org, actor } = await personIn(ctx, values.org, values.as);
      const result = await verifyAudit(ctx, actor);
      out.result(
        { org_id: org.id, ...result },
        result.ok ? `The audit chain of ${org.slug} holds: ${result.events} events, head ${result.head}.` : `The audit chain of ${org.slug} is BROKEN at event ${result.broken_at}: ${result.problem} (${result.events} events checked).`,
      );
      return result.ok ? ExitCode.ok : ExitCode.failure;
    });
  },
});
