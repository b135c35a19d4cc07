import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../core/log.js';
import { openRootfs } from '../image/rootfs.js';
import { notifyResults, scanTargets } from './batch.js';

function rootfs(osRelease: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-batch-'));
  mkdirSync(path.join(dir, 'etc'));
  writeFileSync(path.join(dir, 'etc', 'os-release'), osRelease);
  return dir;
}

function recorder(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m) => warnings.push(m) };
}

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe('scanTargets', () => {
  it('scans every target; one that fails does not stop the others, and each opened image is closed', async () => {
    const debian = rootfs('ID=debian\nVERSION_ID="12"\n');
    const alpine = rootfs('ID=alpine\nVERSION_ID=3.20.3\n');
    const closed: string[] = [];
    const opener = (dir: string) => async () => {
      const image = await openRootfs(dir);
      const close = async () => {
        closed.push(dir);
        await image.close();
      };
      return { ...image, close };
    };
    const { results, errors } = await scanTargets(
      [
        { name: debian, open: opener(debian) },
        { name: 'missing', open: () => Promise.reject(new Error('no such image')) },
        { name: alpine, open: opener(alpine) },
      ],
      { cache: null },
    );
    expect(results.map((r) => [r.artifact.name, r.os?.ecosystem])).toEqual([
      [debian, 'Debian:12'],
      [alpine, 'Alpine:v3.20'],
    ]);
    expect(errors.map((e) => (e as Error).message)).toEqual(['no such image']);
    expect(closed.sort()).toEqual([debian, alpine].sort());
  });
});

describe('notifyResults', () => {
  async function receiver(status: number): Promise<{ url: string; bodies: unknown[] }> {
    const bodies: unknown[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(body));
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
  }

  it('one summary for one scan, an array for several', async () => {
    const { results } = await scanTargets([{ name: 'a', open: () => openRootfs(rootfs('ID=debian\nVERSION_ID="12"\n')) }], { cache: null });
    const { url, bodies } = await receiver(204);
    const logger = recorder();
    await notifyResults(results, { url }, logger);
    await notifyResults([...results, ...results], { url }, logger);
    expect(Array.isArray(bodies[0])).toBe(false);
    expect(Array.isArray(bodies[1]) && bodies[1].length).toBe(2);
    expect(logger.warnings).toEqual([]);
  });

  it('a receiver that fails is a warning, never an error', async () => {
    const { url } = await receiver(400);
    const logger = recorder();
    await notifyResults([], { url }, logger);
    expect(logger.warnings).toEqual([expect.stringMatching(/^webhook .* failed: HTTP 400; the scan result is unaffected$/)]);
  });
});
