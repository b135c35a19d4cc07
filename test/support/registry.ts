/**
 * Debian's docker-registry on a free loopback port for CLI tests
 * (../shared/data/images/serve-registry.sh), with what those tests need on
 * top of test/image/helpers.ts's startRegistry: several pushes, pushes of
 * layouts built in the test, and the registry's access log, read to count
 * which blobs a `strata` run fetched.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../image/helpers.js';
import { sharedData } from './paths.js';

const run = promisify(execFile);

export interface CliTestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  dataDir: string;
  auth?: { username: string; password: string };
  /** Copies `oci:DIR:TAG` to `HOST/REPO:DEST_TAG` with skopeo (digests kept: same compression). */
  push(layout: string, tag: string, repository: string, destTag: string): Promise<void>;
  /** GETs of blobs made by strata since `since` (a mark from `mark()`), by digest. */
  blobGets(since?: number): Promise<Map<string, number>>;
  /** Where the access log ends now. */
  mark(): Promise<number>;
  stop(): Promise<void>;
}

export async function startCliRegistry(options: { auth?: string; push?: string[] } = {}): Promise<CliTestRegistry> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-registry-'));
  const stop = () => run('bash', [sharedData('images', 'stop-registry.sh'), dataDir]).catch(() => undefined);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = [sharedData('images', 'serve-registry.sh'), String(port), dataDir];
    if (options.auth) args.push('--auth', options.auth);
    for (const p of options.push ?? []) args.push('--push', p);
    try {
      await run('bash', args, { timeout: 180_000 });
    } catch (e) {
      lastError = e;
      await stop();
      continue;
    }
    const host = `127.0.0.1:${port}`;
    const [username, password] = options.auth ? (options.auth.split(/:(.*)/s) as [string, string]) : [];
    const logFile = path.join(dataDir, 'registry.log');
    let sentinels = 0;
    const registry: CliTestRegistry = {
      host,
      dataDir,
      ...(username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
      async push(layout, tag, repository, destTag) {
        const creds = username !== undefined ? ['--dest-creds', `${username}:${password}`] : [];
        await run('skopeo', ['copy', '-q', '--dest-tls-verify=false', ...creds, `oci:${layout}:${tag}`, `docker://${host}/${repository}:${destTag}`], {
          timeout: 120_000,
        });
      },
      async mark() {
        await settle();
        return readFileSync(logFile).length;
      },
      async blobGets(since = 0) {
        await settle();
        const text = readFileSync(logFile).subarray(since).toString();
        const counts = new Map<string, number>();
        // Access log lines: 127.0.0.1 - - [date] "GET /v2/REPO/blobs/sha256:HEX HTTP/1.1" 200 BYTES "" "strata (+…)"
        for (const m of text.matchAll(/"GET \/v2\/[^ ]+\/blobs\/(sha256:[0-9a-f]{64}) HTTP\/[\d.]+" (\d{3}) \d+ "[^"]*" "strata[^"]*"/g)) {
          if (m[2] === '200' || m[2] === '206') counts.set(m[1] as string, (counts.get(m[1] as string) ?? 0) + 1);
        }
        return counts;
      },
      async stop() {
        await stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    /**
     * The registry logs a request when it completes. A finished strata run's
     * requests are all complete, but their lines may still be on the way:
     * request a marker URL and wait until its line is in the log.
     */
    async function settle(): Promise<void> {
      const marker = `/v2/settle-${++sentinels}-${process.pid}/tags/list`;
      await fetch(`http://${host}${marker}`).then((r) => r.arrayBuffer()).catch(() => undefined);
      for (let i = 0; i < 100; i++) {
        if (readFileSync(logFile, 'utf8').includes(marker)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`registry log ${logFile} never showed ${marker}`);
    }
    return registry;
  }
  rmSync(dataDir, { recursive: true, force: true });
  throw lastError;
}
