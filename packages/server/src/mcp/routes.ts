import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { Type } from 'typebox';
import { RestClient } from '@chorus/sdk';
import type { AppContext } from '../context.js';
import type { App } from '../http/app-type.js';
import { requirePrincipal } from '../http/auth.js';
import { AppError } from '../http/errors.js';
import { commonErrors } from '../http/schemas.js';
import { buildMcpServer, TaskTokens, toolCallProblem } from './tools.js';
import { recordToolInputError } from '../audit/denials.js';

/**
 * `fetch` answered by this very app through `inject`: the MCP tools call the
 * REST API in-process, through the same hooks, validation and policy as any
 * client, without a network round trip.
 */
function injectFetch(app: App): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const res = await app.inject({
      method: (init?.method ?? 'GET') as 'GET',
      url: url.pathname + url.search,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      ...(typeof init?.body === 'string' ? { payload: init.body } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    return new Response(res.statusCode === 204 ? null : res.body, { status: res.statusCode, headers });
  };
}

/** The `tools/call` requests in a JSON-RPC message or batch. */
function toolCalls(body: unknown): { name: string; arguments: unknown }[] {
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  return messages.flatMap((m) => {
    if (typeof m !== 'object' || m === null || (m as { method?: unknown }).method !== 'tools/call') return [];
    const params = (m as { params?: { name?: unknown; arguments?: unknown } }).params;
    return typeof params?.name === 'string' ? [{ name: params.name, arguments: params.arguments }] : [];
  });
}

/**
 * The MCP server over Streamable HTTP at `POST /api/v1/mcp` (stateless: each
 * request is answered on its own, as JSON), for agent tokens. Tools act with
 * the caller's token; the tokens of tasks claimed through it are kept on this
 * node so later calls naming the task act within its channel.
 */
export function mcpRoutes(app: App, ctx: AppContext): void {
  const tokens = new TaskTokens();
  const fetchHere = injectFetch(app);
  app.post(
    '/mcp',
    {
      bodyLimit: ctx.config.bodyLimitBytes,
      schema: {
        tags: ['mcp'],
        summary: "Model Context Protocol (Streamable HTTP, JSON responses): the agent's tools — channels, tasks, context, threads, posting with sources — within its permissions",
        body: Type.Unknown(),
        response: { 200: Type.Unknown(), 202: Type.Null(), ...commonErrors },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      if (principal.type !== 'agent') throw new AppError(403, 'agents_only', 'The MCP endpoint is for agent tokens.');
      const token = (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      const server = buildMcpServer(new RestClient(ctx.config.publicUrl, token, fetchHere), tokens);
      const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
      // A client that only says JSON is answered in JSON; the transport insists on the header.
      request.raw.headers.accept = 'application/json, text/event-stream';
      reply.hijack();
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      // A malformed tool call reached the server: the SDK answers it as a tool error, and it is on the record.
      for (const call of toolCalls(request.body)) {
        const problem = toolCallProblem(server, call.name, call.arguments);
        if (problem) await recordToolInputError(ctx, request, call.name, problem.code, problem.message);
      }
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    },
  );
}
