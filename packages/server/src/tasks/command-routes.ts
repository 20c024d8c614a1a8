import { Type } from 'typebox';
import { accessChannel } from '../channels/access.js';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { Closed, Uuid, commonErrors } from '../http/schemas.js';
import { canViewChannel } from '../policy/channel.js';
import { commandsOnDuty } from './commands.js';

const CommandView = Type.Object({
  name: Type.String(),
  description: Type.String(),
  arg_hint: Type.Optional(Type.String()),
  agent: Type.Object({ id: Type.String(), handle: Type.String(), display_name: Type.String() }),
  /** Another agent on duty here declares the same name: typing it creates no task. */
  ambiguous: Type.Boolean(),
});

/** The slash commands people can use in a channel, for the composer's autocomplete. */
export function commandRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/channels/:channelId/commands',
    {
      schema: {
        tags: ['tasks'],
        summary: 'The commands of the agents on duty in the channel: `/name args` creates a task for the one agent that declares it',
        params: Closed({ channelId: Uuid }),
        response: { 200: Type.Object({ commands: Type.Array(CommandView) }), ...commonErrors },
      },
    },
    async (request) => {
      // The agents on duty are channel members: whoever may view the channel sees them in its member list too.
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canViewChannel);
      const declared = await commandsOnDuty(ctx.db, [a.channel.id]);
      const count = new Map<string, number>();
      for (const d of declared) count.set(d.name, (count.get(d.name) ?? 0) + 1);
      return {
        commands: declared.map((d) => ({
          name: d.name,
          description: d.description,
          ...(d.arg_hint !== undefined ? { arg_hint: d.arg_hint } : {}),
          agent: { id: d.agent_id, handle: d.handle, display_name: d.display_name },
          ambiguous: (count.get(d.name) ?? 0) > 1,
        })),
      };
    },
  );
}
