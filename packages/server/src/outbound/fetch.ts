import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { OutboundRefused, type OutboundRules } from './rules.js';

/** The shape the model SDKs take; they call it with a URL string and an init. */
export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

type Resolve = (hostname: string, options: dns.LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

/**
 * A `fetch` whose every connection, redirects included, obeys `rules`;
 * `close()` ends its pooled connections. `resolve` is the system's resolver
 * (tests hand it a DNS answer of their own).
 */
export function guardedFetch(rules: OutboundRules, resolve: Resolve = dns.lookup): { fetch: Fetch; close: () => Promise<void> } {
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      const first = addresses[0];
      const refused = error ? null : (addresses.map((a) => rules.refusal(hostname, a.address)).find((r) => r !== null) ?? (first ? null : `${hostname} has no address.`));
      if (error ?? refused) callback(error ?? new OutboundRefused(refused ?? ''), '', 4);
      else if (options.all) (callback as unknown as (e: null, all: dns.LookupAddress[]) => void)(null, addresses);
      else if (first) callback(null, first.address, first.family);
    });
  };
  const connect = buildConnector({ lookup });
  const agent = new Agent({
    // A literal address connects without a lookup: it is judged here.
    connect: (options, callback) => {
      const refused = rules.refusal(options.hostname);
      if (refused) {
        callback(new OutboundRefused(refused), null);
        return;
      }
      connect(options, callback);
    },
  });
  const fetch: Fetch = (input, init) => {
    // A global Request is not undici's own class: its method and body would be lost on the way.
    if (typeof input !== 'string' && !(input instanceof URL)) return Promise.reject(new TypeError('The guarded fetch takes a URL and an init, not a Request.'));
    // The same init and Response in undici's own types: the global ones are undici's too, of the version Node bundles.
    const options = { ...init, dispatcher: agent } as Parameters<typeof undiciFetch>[1];
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    return undiciFetch(input, options);
  };
  return { fetch, close: () => agent.close() };
}

/** The guard's refusal behind a failed request (however the client library wrapped it), if that is what failed it. */
export function refusalIn(error: unknown): OutboundRefused | null {
  for (let cause = error; cause instanceof Error; cause = cause.cause) if (cause instanceof OutboundRefused) return cause;
  return null;
}

/** The reason a failed request gives a person: the guard's when it refused, else the network's. */
export function requestFailure(error: unknown): string {
  const refused = refusalIn(error);
  if (refused) return refused.message;
  return error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
}
