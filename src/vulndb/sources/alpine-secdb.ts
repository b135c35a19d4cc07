/**
 * Alpine secdb JSON (https://secdb.alpinelinux.org/<branch>/<repo>.json),
 * and the same format as Wolfi and Chainguard publish it
 * (https://packages.wolfi.dev/os/security.json, https://packages.cgr.dev/chainguard/security.json).
 *
 * `packages[].pkg` = { name: ORIGIN package, secfixes: { "<fixed apk version>": ["CVE-… ALIAS …", …] } }.
 * Each secfixes entry → one advisory per (first id, branch, origin): fixed
 * version V → `fixed`, ranges fixed at V; version `"0"` → `not_affected`
 * (Alpine's "never affected / not applicable"). An entry is split on
 * whitespace: the first token is the id, the others its aliases
 * (`CVE-2017-12122 TALOS-2017-0488`); malformed tokens are dropped, and an
 * entry without a well-formed id (`CVE-46838`, `CVE-2017-17434-1`) is skipped
 * and counted, and
 * so is a fixed version apk-tools would reject. Several fixed versions for one
 * id (a fix, then a fix of the fix) give several advisories; the matcher
 * takes the highest fixed version below which the package is affected.
 *
 * Ecosystems: `Alpine:v3.20` (the file's `distroversion`), `Alpine:edge`,
 * `Wolfi`, `Chainguard`.
 */
import type { Advisory } from '../../core/advisory.js';
import { openResource, type Resource } from '../io/resource.js';
import { alpineEcosystem } from '../names.js';
import type { Candidate, FeedRecord, ReadContext, Source } from '../source.js';
import { versionProblem } from '../validate.js';
import { fixedRanges } from './debian-states.js';

interface SecDb {
  distroversion?: unknown;
  reponame?: unknown;
  urlprefix?: unknown;
  packages?: unknown;
}

/** Ids as advisories are named: CVE-YYYY-N{4,}, GHSA-xxxx-xxxx-xxxx, XSA-N, and PREFIX-… for the rest. */
const RE_CVE = /^CVE-\d{4}-\d{4,}$/;
const RE_ID = /^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9_.:]+)+$/;

function validId(token: string): boolean {
  if (token.startsWith('CVE-')) return RE_CVE.test(token);
  return RE_ID.test(token);
}

async function readAll(res: Resource): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of (await openResource(res)) as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts).toString('utf8');
}

function ecosystemOf(db: SecDb, flavour: 'alpine' | 'wolfi' | 'chainguard'): string | undefined {
  if (flavour === 'wolfi') return 'Wolfi';
  if (flavour === 'chainguard') return 'Chainguard';
  return typeof db.distroversion === 'string' ? alpineEcosystem(db.distroversion) : undefined;
}

function makeSource(id: string, flavour: 'alpine' | 'wolfi' | 'chainguard', description: string): Source {
  return {
    id,
    description,
    version: 1,
    recognise(c: Candidate): boolean {
      if (c.isZip || !/^\s*\{/.test(c.head) || !/"packages"\s*:/.test(c.head) || !/"(?:apkurl|archs|reponame|urlprefix)"\s*:/.test(c.head)) return false;
      const wolfi = /"urlprefix"\s*:\s*"https?:\/\/packages\.wolfi\.dev/.test(c.head) || /wolfi/i.test(c.location);
      const chainguard = /"urlprefix"\s*:\s*"https?:\/\/packages\.cgr\.dev/.test(c.head) || /chainguard|cgr\.dev/i.test(c.location);
      if (flavour === 'wolfi') return wolfi;
      if (flavour === 'chainguard') return chainguard && !wolfi;
      return !wolfi && !chainguard && /"distroversion"\s*:/.test(c.head);
    },
    async *read(resources: Resource[], ctx: ReadContext): AsyncIterable<FeedRecord> {
      for (const res of resources) {
        // secdb files are small (≤ 200 kB); JSON.parse whole, then skip per entry.
        let db: SecDb;
        try {
          db = JSON.parse(await readAll(res)) as SecDb;
        } catch (e) {
          ctx.skip(`bad JSON: ${(e as Error).message}`, { file: res.name });
          continue;
        }
        const ecosystem = ecosystemOf(db, flavour);
        if (!ecosystem) {
          ctx.skip(`unknown distroversion ${JSON.stringify(db.distroversion)}`, { file: res.name });
          continue;
        }
        yield { kind: 'ecosystem', ecosystem };
        const packages = Array.isArray(db.packages) ? (db.packages as { pkg?: { name?: unknown; secfixes?: unknown } }[]) : [];
        for (const [i, entry] of packages.entries()) {
          const name = entry?.pkg?.name;
          const where = { file: res.name, record: typeof name === 'string' ? name : `packages[${i}]` };
          if (typeof name !== 'string' || name === '') {
            ctx.skip('package entry without a name', where);
            continue;
          }
          const secfixes = entry.pkg?.secfixes ?? {};
          if (typeof secfixes !== 'object' || secfixes === null || Array.isArray(secfixes)) {
            ctx.skip('secfixes is not an object', where);
            continue;
          }
          for (const [version, ids] of Object.entries(secfixes as Record<string, unknown>)) {
            const notAffected = version === '0';
            if (!notAffected) {
              const problem = versionProblem(ecosystem, version);
              if (problem) {
                ctx.skip(`${name}: ${problem}`, where);
                continue;
              }
            }
            if (!Array.isArray(ids)) {
              ctx.skip(`${name} ${version}: fixes list is not an array`, where);
              continue;
            }
            for (const raw of ids) {
              if (typeof raw !== 'string') {
                ctx.skip(`${name} ${version}: non-string entry`, where);
                continue;
              }
              // The first well-formed token is the id, the other well-formed ones its aliases;
              // an entry with none (`CVE-46838`, `CVE-2017-17434-1`) is skipped.
              const tokens = raw.trim().split(/\s+/).filter(validId);
              const [first, ...aliases] = tokens;
              if (!first) {
                ctx.skip(`${name} ${version}: malformed id ${JSON.stringify(raw)}`, where);
                continue;
              }
              for (const alias of aliases) yield { kind: 'alias', id: first, alias, relation: 'alias' };
              const advisory: Advisory = {
                id: first,
                source: '',
                aliases,
                ecosystem,
                package: name,
                ranges: notAffected ? [] : fixedRanges(version),
                status: notAffected ? 'not_affected' : 'fixed',
                severity: [],
              };
              if (notAffected) advisory.statusNote = 'secfixes version 0 (not affected)';
              yield { kind: 'advisory', advisory };
            }
          }
        }
      }
    },
  };
}

export const alpineSecdbSource = makeSource('alpine-secdb', 'alpine', 'Alpine secdb (per branch and repository)');
export const wolfiSecdbSource = makeSource('wolfi-secdb', 'wolfi', 'Wolfi security.json (secdb format)');
export const chainguardSecdbSource = makeSource('chainguard-secdb', 'chainguard', 'Chainguard security.json (secdb format)');
