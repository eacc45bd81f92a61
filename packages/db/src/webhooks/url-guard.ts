import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Why a webhook URL or the address it resolves to is refused. */
export class WebhookUrlRefused extends Error {
  override readonly name = 'WebhookUrlRefused';
}

/** `WEBHOOK_ALLOWED_HOSTS` → normalized `host` / `host:port` entries. */
export function parseAllowedHosts(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h.length > 0);
}

/**
 * True for every address a webhook must not reach by default: anything ipaddr.js places in a
 * range of the IANA IPv4 or IPv6 special-purpose address registries (loopback, private, link-local
 * — cloud metadata lives at 169.254.169.254 — CGNAT, benchmarking, documentation, reserved,
 * multicast, broadcast, AS112, AMT, ORCHID, …), and every IPv6 form that carries an IPv4 address
 * or a translation of one (IPv4-mapped, IPv4-compatible, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`,
 * 6to4, Teredo). Only plain global unicast passes. An address that does not parse is refused.
 */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.trim().replace(/^\[|\]$/g, '');
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // `isIP` first: `ipaddr.parse` accepts IPv4 shorthands (`127.1`, `0x7f.1`) that `isIP` rejects.
    if (isIP(bare) === 0) return true;
    address = ipaddr.parse(bare);
  } catch {
    return true;
  }
  if (address.range() !== 'unicast') return true;
  // ipaddr.js calls the deprecated IPv4-compatible block `::a.b.c.d` (RFC 4291 §2.5.5.1) plain
  // unicast; it routes to the embedded IPv4 address on some stacks, so it is refused here.
  if (address.kind() === 'ipv6' && address.match(IPV4_COMPATIBLE)) return true;
  return false;
}

const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96') as [ipaddr.IPv6, number];

/** The port a URL goes to, explicit or by scheme. */
function portOf(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** True when `WEBHOOK_ALLOWED_HOSTS` names this URL's host (with or without its port). */
function isAllowedHost(url: URL, allowedHosts: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return allowedHosts.some((entry) => {
    const bare = entry.replace(/^\[|\]$/g, '');
    return bare === host || entry === `${host}:${portOf(url)}` || entry === `[${host}]:${portOf(url)}`;
  });
}

/**
 * Check a webhook URL before storing it or sending to it: http(s) only, no credentials in it,
 * and no private or loopback host unless allowed. `resolved` are the addresses the host resolves
 * to at send time (DNS can point a public name at a private address): each is checked too.
 */
export function assertWebhookUrl(
  raw: string,
  allowedHosts: readonly string[],
  resolved: readonly string[] = [],
): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlRefused('The webhook URL is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookUrlRefused(`Webhooks go only to http(s) URLs, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new WebhookUrlRefused('A webhook URL may not carry credentials');
  if (isAllowedHost(url, allowedHosts)) return url;
  // A trailing dot is the fully qualified spelling of the same name (`localhost.` is loopback too).
  const host = url.hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.+$/, '');
  if (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isPrivateAddress(host))) {
    throw new WebhookUrlRefused(
      `The webhook host ${host} is private or loopback; name it in WEBHOOK_ALLOWED_HOSTS to allow it`,
    );
  }
  const privateHit = resolved.find(isPrivateAddress);
  if (privateHit) {
    throw new WebhookUrlRefused(
      `The webhook host ${host} resolves to the private address ${privateHit}; name it in WEBHOOK_ALLOWED_HOSTS to allow it`,
    );
  }
  return url;
}
