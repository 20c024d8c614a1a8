import { BlockList, isIP } from 'node:net';

/**
 * Requests Chorus makes on its members' say — agent webhooks, LLM agents'
 * `base_url` — reach the public internet only, unless the operator names an
 * internal host in `CHORUS_OUTBOUND_ALLOW` (what Mattermost calls "allowed
 * untrusted internal connections"). Otherwise an org admin, or any sponsor of
 * an agent, could point Chorus at the machine's own services or the network
 * behind it and read what answers (a webhook's recorded status and error, an
 * LLM answer posted in a channel).
 *
 * The check runs where the socket connects, on every address the name resolves
 * to, so a redirect or a DNS answer that changes after a URL was accepted
 * (rebinding) is caught too; `refusal` also checks a URL's text when it is set,
 * for a clear error at once. The connection side is fetch.ts.
 */

/** Loopback, private, link-local, carrier-grade NAT, unspecified, benchmarking, multicast and reserved ranges. */
const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internal.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  internal.addSubnet(network, prefix, 'ipv6');
}

/** `::ffff:10.0.0.1` is 10.0.0.1. */
function plain(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export class OutboundRefused extends Error {
  override readonly name = 'OutboundRefused';
}

/** What the operator allows besides the public internet: host names, and IP addresses or CIDR ranges. */
export class OutboundRules {
  readonly #hosts = new Set<string>();
  readonly #addresses = new BlockList();

  /** Entries as `CHORUS_OUTBOUND_ALLOW` lists them; throws on one that is neither a host name, an address nor a range. */
  constructor(readonly allow: readonly string[] = []) {
    for (const raw of allow) {
      const entry = raw.trim().toLowerCase();
      const [network, bits, extra] = entry.split('/');
      const family = isIP(network ?? '');
      if (family !== 0 && extra === undefined) {
        const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
        if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128) || (bits !== undefined && !/^\d+$/.test(bits))) throw new Error(`"${raw}" is not a valid address range.`);
        this.#addresses.addSubnet(network ?? '', prefix, family === 4 ? 'ipv4' : 'ipv6');
      } else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(entry)) {
        this.#hosts.add(entry);
      } else {
        throw new Error(`"${raw}" is neither a host name, an IP address nor a CIDR range.`);
      }
    }
  }

  /** Why `host` (a name, or the address it resolved to) may not be reached; null when it may. */
  refusal(host: string, address: string = host): string | null {
    const name = host.replace(/^\[|\]$/g, '').toLowerCase();
    if (this.#hosts.has(name)) return null;
    const ip = plain(address.replace(/^\[|\]$/g, ''));
    if (isIP(ip.address) === 0) {
      // A name is judged by the addresses it resolves to, when it connects; `localhost` is known now.
      return name === 'localhost' || name.endsWith('.localhost') ? this.refusal(name, '127.0.0.1') : null;
    }
    if (!internal.check(ip.address, ip.family) || this.#addresses.check(ip.address, ip.family)) return null;
    return this.#message(name, ip.address);
  }

  /** `refusal` for a URL's host, as it is written. */
  refusalForUrl(url: URL): string | null {
    return this.refusal(url.hostname);
  }

  #message(host: string, address: string): string {
    const what = host === address ? address : `${host} (${address})`;
    return `${what} is an internal address; Chorus reaches internal addresses only when the server's CHORUS_OUTBOUND_ALLOW names them.`;
  }
}
