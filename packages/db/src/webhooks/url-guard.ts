import { isIP } from 'node:net';

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

function ipv4Parts(ip: string): number[] | null {
  const parts = ip.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : null;
}

/**
 * True for addresses a webhook must not reach by default: loopback, private (RFC 1918, ULA),
 * link-local (cloud metadata lives at 169.254.169.254), CGNAT, unspecified, multicast and the
 * IPv4-mapped forms of all of these.
 */
export function isPrivateAddress(ip: string): boolean {
  const lower = ip.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = lower.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
  const v4 = ipv4Parts(mapped?.[1] ?? lower);
  if (v4) {
    const [a = 0, b = 0] = v4;
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (isIP(lower) !== 6) return true; // not an address we understand: refuse
  return (
    lower === '::' ||
    lower === '::1' ||
    /^f[cd][0-9a-f]{2}:/.test(lower) ||
    /^fe[89ab][0-9a-f]:/.test(lower) ||
    /^ff[0-9a-f]{2}:/.test(lower) ||
    lower.startsWith('::ffff:')
  );
}

/** The port a URL goes to, explicit or by scheme. */
function portOf(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** True when `WEBHOOK_ALLOWED_HOSTS` names this URL's host (with or without its port). */
export function isAllowedHost(url: URL, allowedHosts: readonly string[]): boolean {
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
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
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
