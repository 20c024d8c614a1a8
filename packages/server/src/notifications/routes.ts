import { Type } from 'typebox';
import { accessChannel } from '../channels/access.js';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { Closed, Uuid, commonErrors } from '../http/schemas.js';
import { enterOrg } from '../orgs/access.js';
import { canMuteChannel } from '../policy/profile.js';
import { notificationSettings, setChannelMuted, setDesktopNotifications } from './service.js';

const DesktopSchema = Type.Union([Type.Literal('all'), Type.Literal('mentions'), Type.Literal('none')], {
  description: '`all` messages, `mentions` (mentions and direct messages), or `none`',
});
const SettingsView = Type.Object({ desktop: DesktopSchema, muted_channel_ids: Type.Array(Type.String()) });

/** Notification preferences are a person's (agents are not notified on a desktop): session only. */
export function notificationRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/orgs/:orgId/notifications',
    {
      config: { auth: 'user' },
      schema: { tags: ['notifications'], summary: 'Your notification preferences in this org', params: Closed({ orgId: Uuid }), response: { 200: SettingsView, ...commonErrors } },
    },
    async (request) => notificationSettings(ctx, await enterOrg(ctx, requirePrincipal(request), request.params.orgId)),
  );

  app.patch(
    '/orgs/:orgId/notifications',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['notifications'],
        summary: 'When you get desktop notifications; your other devices follow',
        params: Closed({ orgId: Uuid }),
        body: Closed({ desktop: DesktopSchema }),
        response: { 200: SettingsView, ...commonErrors },
      },
    },
    async (request) => setDesktopNotifications(ctx, await enterOrg(ctx, requirePrincipal(request), request.params.orgId), request.body.desktop),
  );

  app.put(
    '/channels/:channelId/mute',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['notifications'],
        summary: 'Mute (true) or unmute (false) a channel you belong to: no badge count except mentions, no desktop notifications',
        params: Closed({ channelId: Uuid }),
        body: Closed({ muted: Type.Boolean() }),
        response: { 200: SettingsView, ...commonErrors },
      },
    },
    async (request) => {
      const a = await accessChannel(ctx, requirePrincipal(request), request.params.channelId, canMuteChannel);
      return setChannelMuted(ctx, a, request.body.muted);
    },
  );
}
