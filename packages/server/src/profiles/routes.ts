import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { badRequest } from '../http/errors.js';
import { Closed, DisplayName, Nullable, NullableTimestamp, Uuid, commonErrors } from '../http/schemas.js';
import { enterOrg } from '../orgs/access.js';
import { MemberView, presentMember } from '../orgs/presenters.js';
import { enforce } from '../policy/decision.js';
import { canReadDirectory } from '../policy/org.js';
import { maxAvatarBytes, readAvatar, removeAvatar, setAvatar, updateProfile } from './service.js';

const MemberParams = Closed({ orgId: Uuid, memberId: Uuid });
const CustomStatusInput = Closed({
  emoji: Type.String({ maxLength: 16 }),
  text: Type.String({ maxLength: 100 }),
  expires_at: Type.Optional(NullableTimestamp),
});
/** Base64 of at most {@link maxAvatarBytes} bytes; the size itself is checked after decoding, with its own error. */
const AvatarInput = Closed({ image: Type.String({ minLength: 1, maxLength: Math.ceil((maxAvatarBytes * 2) / 3) * 4 }) });

export function profileRoutes(app: App, ctx: AppContext): void {
  app.patch(
    '/orgs/:orgId/members/:memberId/profile',
    {
      schema: {
        tags: ['profiles'],
        summary: "Change your display name or custom status (or, for your agent, the agent's)",
        params: MemberParams,
        body: Closed({ display_name: Type.Optional(DisplayName), custom_status: Type.Optional(Nullable(CustomStatusInput)) }),
        response: { 200: Type.Object({ member: MemberView }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const { display_name, custom_status } = request.body;
      const input = {
        ...(display_name !== undefined ? { display_name } : {}),
        ...(custom_status !== undefined ? { custom_status: custom_status && { emoji: custom_status.emoji, text: custom_status.text, expires_at: custom_status.expires_at ?? null } } : {}),
      };
      return { member: presentMember(await updateProfile(ctx, actor, request.params.orgId, request.params.memberId, input)) };
    },
  );

  app.put(
    '/orgs/:orgId/members/:memberId/avatar',
    {
      schema: {
        tags: ['profiles'],
        summary: 'Upload an avatar: a PNG, JPEG, GIF or WebP image of at most 256 KB, base64-encoded',
        params: MemberParams,
        body: AvatarInput,
        response: { 200: Type.Object({ member: MemberView }), ...commonErrors },
      },
    },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      const image = request.body.image.replace(/^data:[^,]*,/, '');
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(image)) throw badRequest('invalid_base64', 'The image must be base64-encoded (a data: URL is fine too).');
      return { member: presentMember(await setAvatar(ctx, actor, request.params.orgId, request.params.memberId, Buffer.from(image, 'base64'))) };
    },
  );

  app.delete(
    '/orgs/:orgId/members/:memberId/avatar',
    { schema: { tags: ['profiles'], summary: 'Remove an avatar', params: MemberParams, response: { 200: Type.Object({ member: MemberView }), ...commonErrors } } },
    async (request) => {
      const actor = await enterOrg(ctx, requirePrincipal(request), request.params.orgId);
      return { member: presentMember(await removeAvatar(ctx, actor, request.params.orgId, request.params.memberId)) };
    },
  );

  app.get(
    '/orgs/:orgId/members/:memberId/avatar',
    {
      schema: {
        tags: ['profiles'],
        summary: "A member's avatar image (everyone in the org may see it); `?v=` as in the member's avatar_url makes it cacheable for good",
        params: MemberParams,
        querystring: Closed({ v: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'The image' }), 304: Type.Null(), ...commonErrors },
      },
    },
    async (request, reply) => {
      enforce(canReadDirectory(await enterOrg(ctx, requirePrincipal(request), request.params.orgId)));
      const avatar = await readAvatar(ctx, request.params.orgId, request.params.memberId);
      const etag = `"${avatar.version}"`;
      // `private`: avatars are for the org's members only, so shared caches must not keep them.
      void reply
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('etag', etag)
        .header('cache-control', request.query.v === avatar.version ? 'private, max-age=31536000, immutable' : 'private, no-cache');
      if (request.headers['if-none-match'] === etag) return reply.status(304).send(null);
      return reply.type(avatar.type).send(avatar.bytes);
    },
  );
}
