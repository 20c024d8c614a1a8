import { Type } from 'typebox';
import { sql } from 'kysely';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';

export function systemRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/health',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['system'],
        summary: 'Liveness and database reachability',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.Literal('ok') }) },
      },
    },
    async () => {
      await sql`select 1`.execute(ctx.db);
      return { status: 'ok' as const, database: 'ok' as const };
    },
  );

  app.get(
    '/openapi.json',
    { config: { auth: 'none' }, schema: { hide: true } },
    () => app.swagger(),
  );
}
