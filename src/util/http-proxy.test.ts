import { describe, expect, it } from 'vitest';
import { bypassesProxy, isLoopbackHost, proxyFor, proxyLabel, proxySettingsFromEnv } from './http-proxy.js';

const u = (s: string): URL => new URL(s);

describe('proxySettingsFromEnv', () => {
  it('reads upper case first, then lower case, as Go does; blank values do not count', () => {
    expect(proxySettingsFromEnv({ HTTPS_PROXY: 'http://a:1', https_proxy: 'http://b:2', http_proxy: 'http://c:3', no_proxy: '.corp' })).toEqual({
      httpsProxy: 'http://a:1',
      httpProxy: 'http://c:3',
      noProxy: '.corp',
    });
    expect(proxySettingsFromEnv({ HTTPS_PROXY: '  ', https_proxy: 'http://b:2' })).toEqual({ httpsProxy: 'http://b:2' });
    expect(proxySettingsFromEnv({})).toEqual({});
  });
});

describe('proxyFor', () => {
  const settings = { httpsProxy: 'http://proxy.corp:3128', httpProxy: 'proxy.corp:8080', noProxy: 'internal.corp,10.0.0.0/8' };

  it('picks the proxy by the URL scheme; a proxy without a scheme is http', () => {
    expect(proxyFor(u('https://registry-1.docker.io/v2/'), settings)?.href).toBe('http://proxy.corp:3128/');
    expect(proxyFor(u('http://mirror.example:5000/v2/'), settings)?.href).toBe('http://proxy.corp:8080/');
    expect(proxyFor(u('https://ghcr.io/v2/'), { httpProxy: 'http://p:1' })).toBeUndefined();
  });

  it('never proxies loopback, so a local registry keeps working behind a corporate proxy', () => {
    for (const url of ['https://127.0.0.1:5000/v2/', 'http://localhost:5000/v2/', 'https://[::1]:5000/v2/']) expect(proxyFor(u(url), settings)).toBeUndefined();
  });

  it('honours NO_PROXY', () => {
    expect(proxyFor(u('https://registry.internal.corp/v2/'), settings)).toBeUndefined();
    expect(proxyFor(u('https://10.1.2.3/v2/'), settings)).toBeUndefined();
    expect(proxyFor(u('https://11.1.2.3/v2/'), settings)).toBeDefined();
  });

  it('says which variable is malformed', () => {
    expect(() => proxyFor(u('https://ghcr.io/'), { httpsProxy: 'http://[bad' })).toThrow(/HTTPS_PROXY \(or its lower-case form\) is not a valid proxy URL/);
  });

  it('labels a proxy without its credentials', () => {
    expect(proxyLabel(u('http://user:s3cret@proxy.corp:3128/'))).toBe('http://proxy.corp:3128');
  });
});

describe('bypassesProxy (NO_PROXY)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['https://ghcr.io/v2/', '*', true],
    ['https://ghcr.io/v2/', 'ghcr.io', true],
    ['https://pkg.ghcr.io/v2/', 'ghcr.io', true],
    ['https://pkg.ghcr.io/v2/', '.ghcr.io', true],
    ['https://ghcr.io/v2/', '.ghcr.io', true],
    ['https://notghcr.io/v2/', 'ghcr.io', false],
    ['https://GHCR.IO/v2/', 'Ghcr.Io', true],
    ['https://ghcr.io/v2/', 'example.com, ghcr.io', true],
    ['https://ghcr.io/v2/', 'example.com ghcr.io', true],
    ['https://ghcr.io:443/v2/', 'ghcr.io:443', true],
    ['https://ghcr.io/v2/', 'ghcr.io:443', true],
    ['https://ghcr.io:5000/v2/', 'ghcr.io:443', false],
    ['https://192.168.1.20/v2/', '192.168.0.0/16', true],
    ['https://192.169.1.20/v2/', '192.168.0.0/16', false],
    ['https://192.168.1.20:5000/v2/', '192.168.1.20', true],
    ['https://[2001:db8::1]:5000/v2/', '2001:db8::1', true],
    ['https://[2001:db8::1]:5000/v2/', '[2001:db8::1]:5000', true],
    ['https://ghcr.io/v2/', '', false],
  ];
  it.each(cases)('%s with NO_PROXY=%j → %s', (url, noProxy, expected) => {
    expect(bypassesProxy(u(url), noProxy)).toBe(expected);
  });
});

describe('isLoopbackHost', () => {
  it('allows plain HTTP (and skips the proxy) only for loopback names and addresses', () => {
    for (const h of ['localhost', 'localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000', 'registry.localhost:80']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['registry.example.com', '10.0.0.1:5000', '128.0.0.1', 'localhost.example.com', '[::2]:5000', '127.0.0.1.nip.io', '[2001:db8::1]:5000']) {
      expect(isLoopbackHost(h)).toBe(false);
    }
  });
});
