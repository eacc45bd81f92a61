import { describe, expect, it } from 'vitest';
import { assertWebhookUrl, isPrivateAddress, parseAllowedHosts } from '../src/webhooks/url-guard.js';

describe('the webhook SSRF guard', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.0.0.8', true],
    ['172.16.5.4', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['93.184.216.34', false],
    ['2606:2800:220:1:248:1893:25c8:1946', false],
    // The outside probe's finds (issue 23): every IPv6 form that carries a loopback IPv4 address.
    ['::7f00:1', true], // IPv4-compatible (RFC 4291 §2.5.5.1) of 127.0.0.1
    ['::127.0.0.1', true],
    ['::ffff:7f00:1', true], // IPv4-mapped, hex form
    ['64:ff9b::7f00:1', true], // NAT64 well-known prefix (RFC 6052)
    ['64:ff9b:1::a00:1', true], // NAT64 local-use prefix (RFC 8215)
    ['2002:7f00:1::', true], // 6to4 (RFC 3056) of 127.0.0.1
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', true], // Teredo (RFC 4380)
    ['fec0::1', true], // deprecated site-local (RFC 3879)
    // IANA IPv4 special-purpose registry
    ['198.18.0.1', true], // benchmarking (RFC 2544)
    ['198.19.255.254', true],
    ['192.0.0.8', true], // IETF protocol assignments
    ['192.0.2.1', true], // TEST-NET-1
    ['198.51.100.7', true], // TEST-NET-2
    ['203.0.113.9', true], // TEST-NET-3
    ['192.88.99.1', true], // 6to4 relay anycast
    ['192.31.196.1', true], // AS112-v4
    ['192.52.193.1', true], // AMT
    ['192.175.48.1', true], // direct delegation AS112
    ['240.0.0.1', true], // reserved
    ['255.255.255.255', true], // limited broadcast
    // IANA IPv6 special-purpose registry
    ['::', true],
    ['100::1', true], // discard-only (RFC 6666)
    ['2001:2::1', true], // benchmarking
    ['2001:3::1', true], // AMT
    ['2001:4:112::1', true], // AS112-v6
    ['2001:10::1', true], // ORCHID (deprecated)
    ['2001:20::1', true], // ORCHIDv2
    ['2001:db8::1', true], // documentation
    ['3fff::1', true], // documentation (RFC 9637)
    ['5f00::1', true], // segment routing SIDs
    ['ff02::1', true],
    ['8.8.8.8', false],
    ['::ffff:8.8.8.8', true], // a mapped form is refused even for a public address: send to the IPv4 itself
    ['not-an-address', true],
  ])('%s private: %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });

  it.each([
    'http://127.0.0.1/h',
    'http://localhost/h',
    'http://localhost./h', // the fully qualified spelling resolves to the same loopback
    'http://LOCALHOST../h',
    'http://foo.localhost./h',
    'http://10.1.2.3/h',
    'http://[::1]/h',
    'http://[::7f00:1]/h',
    'http://[::127.0.0.1]/h',
    'http://[64:ff9b::7f00:1]/h',
    'http://[2002:7f00:1::]/h',
    'http://[fec0::1]/h',
    'http://198.18.0.1/h',
    'http://2130706433/h', // 127.0.0.1 as one decimal number: the URL parser normalises it
    'http://0x7f.1/h',
    'http://169.254.169.254/latest/meta-data',
  ])('refuses the literal host of %s at creation', (url) => {
    expect(() => assertWebhookUrl(url, [])).toThrow(/private or loopback/);
  });

  it.each(['::7f00:1', '64:ff9b::a9fe:a9fe', '2002:a00:1::1', '198.18.0.1'])(
    'refuses a public name that resolves to %s (after DNS)',
    (address) => {
      expect(() => assertWebhookUrl('https://hooks.example.com/x', [], [address])).toThrow(
        /resolves to the private address/,
      );
    },
  );

  it('refuses a public name that resolves to a private address (DNS rebinding at send time)', () => {
    expect(() => assertWebhookUrl('https://hooks.example.com/x', [], ['93.184.216.34', '10.0.0.5'])).toThrow(
      /resolves to the private address 10\.0\.0\.5/,
    );
    expect(assertWebhookUrl('https://hooks.example.com/x', [], ['93.184.216.34']).hostname).toBe(
      'hooks.example.com',
    );
  });

  it('lets WEBHOOK_ALLOWED_HOSTS name a host, or a host and port', () => {
    const allowed = parseAllowedHosts(' 127.0.0.1:8080 , localhost,');
    expect(allowed).toEqual(['127.0.0.1:8080', 'localhost']);
    expect(assertWebhookUrl('http://127.0.0.1:8080/h', allowed, ['127.0.0.1']).port).toBe('8080');
    expect(() => assertWebhookUrl('http://127.0.0.1:9090/h', allowed, ['127.0.0.1'])).toThrow(
      /WEBHOOK_ALLOWED_HOSTS/,
    );
    expect(assertWebhookUrl('http://localhost:3999/h', allowed, ['127.0.0.1']).hostname).toBe('localhost');
  });

  it('refuses other schemes and URLs carrying credentials', () => {
    expect(() => assertWebhookUrl('file:///etc/passwd', [])).toThrow(/http\(s\)/);
    expect(() => assertWebhookUrl('gopher://example.com', [])).toThrow(/http\(s\)/);
    expect(() => assertWebhookUrl('https://a:b@example.com', [])).toThrow(/credentials/);
    expect(() => assertWebhookUrl('not a url', [])).toThrow(/not a valid/);
  });
});
