import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeNetworkError, exchange, TimeoutError } from './transport.js';

describe('describeNetworkError', () => {
  it('classifies what fetch throws', () => {
    const wrap = (code: string, message = code) => new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
    expect(describeNetworkError(wrap('ECONNREFUSED'))).toEqual({ message: 'connection refused', retryable: true, tls: false });
    expect(describeNetworkError(wrap('ENOTFOUND'))?.retryable).toBe(false);
    expect(describeNetworkError(wrap('UND_ERR_SOCKET', 'other side closed'))?.retryable).toBe(true);
    expect(describeNetworkError(wrap('DEPTH_ZERO_SELF_SIGNED_CERT'))).toMatchObject({ retryable: false, tls: true });
    expect(describeNetworkError(wrap('ERR_SSL_WRONG_VERSION_NUMBER'))).toMatchObject({ retryable: false, tls: true });
    expect(describeNetworkError(new TimeoutError('body', 1000))).toMatchObject({ message: 'no data for 1 s (stalled transfer)', retryable: true });
    expect(describeNetworkError(new TypeError('fetch failed', { cause: new Error('bad port') }))?.retryable).toBe(false);
    expect(describeNetworkError(wrap('UND_ERR_INVALID_ARG'))).toBeUndefined();
    expect(describeNetworkError(new RangeError('a bug'))).toBeUndefined();
  });
});

describe('exchange', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/slow-headers') return; // never answers
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345'); // then stalls
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('bounds the wait for headers', async () => {
    const e = await exchange(new URL(`${base}/slow-headers`), { method: 'GET', headers: {}, headersTimeoutMs: 200, stallTimeoutMs: 200 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).phase).toBe('headers');
  });

  it('bounds each wait for body data, not the time the consumer takes', async () => {
    const reply = await exchange(new URL(`${base}/stall`), { method: 'GET', headers: {}, headersTimeoutMs: 1000, stallTimeoutMs: 200 });
    const got: number[] = [];
    const e = await (async () => {
      for await (const chunk of reply.chunks()) {
        got.push(chunk.length);
        await new Promise((r) => setTimeout(r, 400)); // a slow consumer is not a stall
      }
    })().catch((err: unknown) => err);
    expect(got).toEqual([5]);
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).phase).toBe('body');
  });
});
