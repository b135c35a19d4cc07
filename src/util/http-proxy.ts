/**
 * Which proxy an outgoing request goes through, from the environment, the
 * way Go's net/http reads it (Docker, Trivy and Grype all do): `HTTPS_PROXY`
 * for https URLs, `HTTP_PROXY` for http URLs (upper case first, then lower
 * case), `NO_PROXY` for exceptions. Loopback hosts are never proxied, as in
 * Go: a local registry keeps working with a corporate proxy set.
 *
 * The dispatcher that sends requests through the proxy is undici's
 * ProxyAgent (CONNECT tunnels for https, absolute-form requests for http,
 * credentials from the proxy URL), loaded only when a proxy or unverified
 * TLS is needed: undici costs import time every other run would pay.
 */
import { isIP } from 'node:net';
import type { Agent, ProxyAgent } from 'undici';
import { StrataError } from '../core/errors.js';

export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

function first(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

export function proxySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  const settings: ProxySettings = {};
  const http = first(env, 'HTTP_PROXY', 'http_proxy');
  const https = first(env, 'HTTPS_PROXY', 'https_proxy');
  const no = first(env, 'NO_PROXY', 'no_proxy');
  if (http) settings.httpProxy = http;
  if (https) settings.httpsProxy = https;
  if (no) settings.noProxy = no;
  return settings;
}

/** Hosts where plain HTTP is allowed without --insecure, as Docker treats 127.0.0.0/8: loopback only. */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostOnly(hostPort);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `host[:port]` or `[v6][:port]` → the host, lower case, without brackets. */
function hostOnly(hostPort: string): string {
  let host = hostPort;
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  else if (host.split(':').length === 2) host = host.slice(0, host.indexOf(':'));
  return host.toLowerCase();
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

/** Whether `ip` lies in `cidr` (IPv4 only; an IPv6 CIDR matches its exact address). */
function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bitsText = ''] = cidr.split('/');
  const bits = Number(bitsText);
  if (isIP(ip) !== 4 || isIP(base) !== 4 || !Number.isInteger(bits) || bits < 0 || bits > 32) return ip === base;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((ipv4ToInt(ip) & mask) >>> 0) === ((ipv4ToInt(base) & mask) >>> 0);
}

/**
 * Whether NO_PROXY exempts `url`: `*`; a host name, which also covers its
 * subdomains (`example.com`, `.example.com`); an IP address or CIDR block;
 * any of these with `:port` to exempt only that port.
 */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = hostOnly(url.host);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[,\s]+/)) {
    let entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const portMatch = /^(.*[^:]):(\d+)$/.exec(entry);
    if (portMatch && !(isIP(entry) === 6)) {
      entry = portMatch[1] ?? entry;
      entryPort = portMatch[2];
    }
    if (entry.startsWith('[') && entry.endsWith(']')) entry = entry.slice(1, -1);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (entry.includes('/')) {
      if (isIP(host) && inCidr(host, entry)) return true;
      continue;
    }
    if (isIP(entry)) {
      if (host === entry) return true;
      continue;
    }
    const domain = entry.replace(/^\*?\./, '');
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

/** The proxy `url` goes through, or undefined for a direct connection. A proxy given without a scheme is http. */
export function proxyFor(url: URL, settings: ProxySettings = proxySettingsFromEnv()): URL | undefined {
  if (isLoopbackHost(url.host)) return undefined;
  const proxy = url.protocol === 'https:' ? settings.httpsProxy : url.protocol === 'http:' ? settings.httpProxy : undefined;
  if (!proxy || bypassesProxy(url, settings.noProxy)) return undefined;
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`);
  } catch {
    // The value itself is not echoed: it may hold credentials.
    throw new StrataError('usage', `${url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'} (or its lower-case form) is not a valid proxy URL`);
  }
}

/** The proxy for messages: scheme, host and port, never its credentials. */
export function proxyLabel(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/** A human note for errors: ` through proxy http://proxy:3128`, or '' when `url` goes direct. */
export function viaProxy(url: URL): string {
  try {
    const proxy = proxyFor(url);
    return proxy ? ` through proxy ${proxyLabel(proxy)}` : '';
  } catch {
    return '';
  }
}

const agents = new Map<string, Promise<Agent | ProxyAgent>>();

/**
 * The fetch dispatcher for `url`: through the environment's proxy, or, for
 * `insecureTls`, without verifying the server's certificate; undefined when
 * the default (direct, verified) is right.
 */
async function dispatcherFor(url: URL, options: { insecureTls?: boolean } = {}): Promise<RequestInit['dispatcher'] | undefined> {
  const proxy = proxyFor(url);
  const insecure = (options.insecureTls ?? false) && url.protocol === 'https:';
  if (!proxy && !insecure) return undefined;
  const key = `${proxy?.href ?? 'direct'} ${insecure ? 'insecure' : 'verified'}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = import('undici').then(({ Agent, ProxyAgent }) => {
      const tls = insecure ? { rejectUnauthorized: false } : undefined;
      if (!proxy) return new Agent({ connect: { rejectUnauthorized: false } });
      // http targets go as absolute-form requests (what proxies expect and Go does), https ones through a CONNECT tunnel.
      return new ProxyAgent({ uri: proxy.href, proxyTunnel: false, ...(tls ? { requestTls: tls } : {}) });
    });
    agents.set(key, agent);
  }
  // undici 7's dispatchers implement the interface Node 20's fetch calls; the types come from two undici versions.
  return (await agent) as unknown as RequestInit['dispatcher'];
}

/**
 * Node's fetch, sent the way Strata sends everything (registries, feed
 * downloads, the webhook): through the environment's proxy, and with
 * `insecureTls` (https only) without verifying the certificate.
 */
export async function outboundFetch(url: string | URL, init: RequestInit = {}, options: { insecureTls?: boolean } = {}): Promise<Response> {
  const dispatcher = await dispatcherFor(new URL(url), options);
  return fetch(url, dispatcher ? { ...init, dispatcher } : init);
}
