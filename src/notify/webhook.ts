/**
 * `--webhook URL`: after a scan, POST a JSON summary (image, digest, counts
 * per severity, top findings). With a secret the body is signed with
 * HMAC-SHA256 in `X-Strata-Signature: sha256=<hex>` (GitHub's convention),
 * so receivers can check it came from us. Failures are retried with backoff
 * and end as a warning: a lost notification never loses the scan result.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SeverityLevel } from '../core/advisory.js';
import { SEVERITY_LEVELS } from '../core/advisory.js';
import type { ScanResult } from '../core/result.js';
import { outboundFetch } from '../util/http-proxy.js';

export const WEBHOOK_SCHEMA_VERSION = 1;
export const SIGNATURE_HEADER = 'X-Strata-Signature';

export interface WebhookSummary {
  schemaVersion: number;
  event: 'scan.completed';
  artifact: { name: string; type: string; digest?: string };
  os?: string;
  counts: Record<SeverityLevel, number> & { total: number; suppressed: number };
  topFindings: Array<{ id: string; severity: SeverityLevel; package: string; installedVersion: string; fixedVersion?: string; status: string }>;
  database?: { builtAt: string; schemaVersion: number };
  generatedAt: string;
}

const RANK: Record<SeverityLevel, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, UNKNOWN: 4 };

export function summarize(result: ScanResult, top = 10, now = new Date()): WebhookSummary {
  const counts = Object.fromEntries(SEVERITY_LEVELS.map((s) => [s, 0])) as Record<SeverityLevel, number>;
  for (const f of result.findings) counts[f.severity]++;
  const sorted = [...result.findings].sort((a, b) => RANK[a.severity] - RANK[b.severity] || (b.epss?.score ?? 0) - (a.epss?.score ?? 0) || a.id.localeCompare(b.id));
  return {
    schemaVersion: WEBHOOK_SCHEMA_VERSION,
    event: 'scan.completed',
    artifact: { name: result.artifact.name, type: result.artifact.type, ...(result.artifact.digest ? { digest: result.artifact.digest } : {}) },
    ...(result.os ? { os: result.os.ecosystem } : {}),
    counts: { ...counts, total: result.findings.length, suppressed: result.suppressed.length },
    topFindings: sorted.slice(0, top).map((f) => ({
      id: f.id,
      severity: f.severity,
      package: f.package.name,
      installedVersion: f.installedVersion,
      ...(f.fixedVersion ? { fixedVersion: f.fixedVersion } : {}),
      status: f.status,
    })),
    ...(result.database ? { database: { builtAt: result.database.builtAt, schemaVersion: result.database.schemaVersion } } : {}),
    generatedAt: now.toISOString(),
  };
}

export function sign(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookOptions {
  url: string;
  secret?: string;
  attempts?: number;
  /** First backoff delay in ms (doubles each retry). */
  backoffMs?: number;
  timeoutMs?: number;
}

/** Posts the summary; resolves to undefined on success or to a warning text on failure (never throws). */
export async function postWebhook(summary: WebhookSummary | WebhookSummary[], options: WebhookOptions): Promise<string | undefined> {
  const body = JSON.stringify(summary);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'strata-webhook' };
  if (options.secret) headers[SIGNATURE_HEADER] = sign(body, options.secret);
  const attempts = options.attempts ?? 4;
  let last = '';
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep((options.backoffMs ?? 500) * 2 ** (i - 1));
    try {
      const res = await outboundFetch(options.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000), redirect: 'error' });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return undefined;
      last = `HTTP ${res.status}`;
      // A 4xx other than 408/429 will not change on retry.
      if (res.status < 500 && res.status !== 408 && res.status !== 429) break;
    } catch (e) {
      last = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    }
  }
  return `webhook ${redact(options.url)} failed: ${last}; the scan result is unaffected`;
}

/** URLs may carry tokens in their query or userinfo: never print them. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
