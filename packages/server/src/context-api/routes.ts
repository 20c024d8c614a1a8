import { Type } from 'typebox';
import { recordAgentReadDenied } from '../audit/agent-reads.js';
import { denialRecorded } from '../audit/denials.js';
import { accessChannel } from '../channels/access.js';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { AppError } from '../http/errors.js';
import { Closed, Uuid, commonErrors } from '../http/schemas.js';
import { canReadContext } from '../policy/agent-reads.js';
import { ContextBundleSchema } from './presenters.js';
import { assembleContext } from './service.js';

/** The bundle's bounds: defaults, and the most a caller may ask for. */
export const contextLimits = { messages: 50, maxMessages: 200, chars: 20_000, maxChars: 200_000 } as const;

export function contextRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/channels/:channelId/context',
    {
      schema: {
        tags: ['context'],
        summary: "An agent's context for the work at hand: the channel's guide, its task and thread, pins, docs ranked for the task, experience and recent history, within the channel's rules and one budget; every item served is audited",
        params: Closed({ channelId: Uuid }),
        querystring: Closed({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: contextLimits.maxMessages, description: `messages in the whole bundle; default ${contextLimits.messages}` })),
          max_chars: Type.Optional(Type.Integer({ minimum: 1, maximum: contextLimits.maxChars, description: `characters of bodies (messages and docs) in the whole bundle; default ${contextLimits.chars}` })),
          task_id: Type.Optional(Uuid),
        }),
        response: { 200: ContextBundleSchema, ...commonErrors },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request);
      const { channelId } = request.params;
      try {
        const a = await accessChannel(ctx, principal, channelId, canReadContext);
        return await assembleContext(ctx, a, {
          maxMessages: request.query.limit ?? contextLimits.messages,
          maxChars: request.query.max_chars ?? contextLimits.chars,
          taskId: request.query.task_id,
        });
      } catch (error) {
        if (principal.type === 'agent' && error instanceof AppError && error.status < 500) {
          await recordAgentReadDenied(ctx, principal.agent, 'agent.context.read', channelId, error.code, principal.boundary?.taskId);
          denialRecorded(error);
        }
        throw error;
      }
    },
  );
}
