import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScanResult } from '../core/result.js';
import { postWebhook, SIGNATURE_HEADER, summarize } from './webhook.js';

const result: ScanResult = {
  artifact: { name: '127.0.0.1:5000/test/debian:12', type: 'container_image', source: 'registry', digest: 'sha256:752dfed0' },
  layers: [],
  os: { family: 'debian', version: '12', ecosystem: 'Debian:12' },
  packages: [],
  findings: (['LOW', 'CRITICAL', 'HIGH', 'HIGH'] as const).map((severity, i) => ({
    id: `CVE-2024-000${i}`,
    aliases: [],
    package: { name: 'openssl', version: '3.0.11-1', ecosystem: 'Debian:12', purl: 'pkg:deb/debian/openssl@3.0.11-1', paths: [] },
    installedVersion: '3.0.11-1',
    fixedVersion: '3.0.13-1',
    status: 'fixed' as const,
    severity,
    severitySource: 'debian',
    cvss: [],
    explanation: { matchedBy: 'source-package' as const, lookupName: 'openssl', comparedVersion: '3.0.11-1', scheme: 'dpkg', advisories: [], rule: '' },
  })),
  suppressed: [],
  skipped: [],
  warnings: [],
  timings: {},
};

interface Received {
  body: string;
  signature?: string;
}

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A loopback receiver that fails the first `failures` requests with 503. */
async function receiver(failures: number): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  let seen = 0;
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen++;
      if (seen <= failures) {
        res.writeHead(503).end();
        return;
      }
      const sig = req.headers[SIGNATURE_HEADER.toLowerCase()];
      received.push({ body: Buffer.concat(chunks).toString('utf8'), ...(typeof sig === 'string' ? { signature: sig } : {}) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server?.address() as AddressInfo).port}/hook?token=secret-token`, received };
}

describe('webhook', () => {
  it('summarises counts per severity and the worst findings first', () => {
    const s = summarize(result, 2);
    expect(s.counts).toMatchObject({ CRITICAL: 1, HIGH: 2, LOW: 1, MEDIUM: 0, total: 4 });
    expect(s.topFindings.map((f) => f.severity)).toEqual(['CRITICAL', 'HIGH']);
    expect(s.artifact.digest).toBe('sha256:752dfed0');
  });

  it('posts a body signed with HMAC-SHA256 that the receiver can verify, after retrying 5xx', async () => {
    const { url, received } = await receiver(2);
    const warning = await postWebhook(summarize(result), { url, secret: 's3cret', backoffMs: 10 });
    expect(warning).toBeUndefined();
    expect(received).toHaveLength(1);
    const got = received[0] as Received;
    const expected = `sha256=${createHmac('sha256', 's3cret').update(got.body).digest('hex')}`;
    expect(got.signature).toBe(expected);
    expect(JSON.parse(got.body)).toMatchObject({ event: 'scan.completed', counts: { total: 4 } });
  });

  it('gives up with a warning that does not print the URL query', async () => {
    const { url } = await receiver(100);
    const warning = await postWebhook(summarize(result), { url, attempts: 2, backoffMs: 10 });
    expect(warning).toMatch(/failed: HTTP 503/);
    expect(warning).not.toContain('secret-token');
  });

  it('turns an unreachable receiver into a warning', async () => {
    const warning = await postWebhook(summarize(result), { url: 'http://127.0.0.1:1/hook', attempts: 1 });
    expect(warning).toMatch(/webhook http:\/\/127.0.0.1:1\/hook failed/);
  });
});
