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
  ])('%s private: %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });

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
