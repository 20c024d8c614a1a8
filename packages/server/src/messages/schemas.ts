import { Type } from 'typebox';
import { Closed, Uuid } from '../http/schemas.js';
import { maxSources } from './sources.js';
import { maxAttachments } from '../files/attach.js';

/**
 * What a send may say besides its body, shared by `POST /channels/:id/messages`
 * and the socket's `send` frame. `system` is never a client's kind.
 */
export const postOptions = {
  kind: Type.Optional(
    Type.Union([Type.Literal('chat'), Type.Literal('agent_reasoning'), Type.Literal('agent_tool')], {
      description: "omitted = chat; agent_reasoning and agent_tool (an agent's intermediate steps) are for agents",
    }),
  ),
  audience: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('humans')], { description: 'humans: never reaches an agent; omitted = all' })),
  sources: Type.Optional(
    Type.Array(
      Closed({ type: Type.Union([Type.Literal('message'), Type.Literal('doc'), Type.Literal('experience')]), id: Uuid }),
      { maxItems: maxSources, description: "what the message drew on; an agent's post is refused (403 audience_violation) when one fails the audience rule" },
    ),
  ),
  file_ids: Type.Optional(
    Type.Array(Uuid, { maxItems: maxAttachments, uniqueItems: true, description: 'files you uploaded to this channel and have not attached yet (POST /channels/:id/files)' }),
  ),
};
