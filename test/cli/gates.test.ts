/**
 * CI gating as a pipeline uses it: `node bin/strata.js` in a child process
 * against a small root filesystem with known findings (gates-fixture.ts),
 * checking exit codes and the JSON report (`findings[]`, `suppressed[]`
 * with the rule or statement that suppressed each) for every filter flag,
 * ignore-file form and VEX form; error exit codes; several formats and
 * several images in one run; and the webhook against loopback receivers.
 */
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonCombinedReport, JsonFinding, JsonReport } from '../../src/report/json.js';
import { debianImage } from '../support/images.js';
import { GATE_FINDINGS, SYSTEM_PYYAML, VENV_PYYAML, writeGateFeeds, writeGateRootfs } from './gates-fixture.js';
import { assertBuilt, type CliRun, strata } from './run-strata.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'strata-cli-gates-'));
const rootfs = path.join(work, 'rootfs');
const db = path.join(work, 'strata.db');
const env = { XDG_CACHE_HOME: path.join(work, 'xdg'), STRATA_DB: undefined, STRATA_WEBHOOK_SECRET: undefined };

beforeAll(async () => {
  assertBuilt();
  writeGateRootfs(rootfs);
  writeGateFeeds(path.join(work, 'feeds'));
  const built = await strata(['db', 'build', '--from', path.join(work, 'feeds'), '--output', db], { env });
  expect(built.code, built.stderr).toBe(0);
}, 120_000);

interface Scan extends CliRun {
  report: JsonReport;
}

/** `strata rootfs ROOTFS --db DB -f json …`, from `cwd` (default: a folder without ignore files). */
async function scan(args: string[] = [], cwd = work): Promise<Scan> {
  const run = await strata(['rootfs', rootfs, '--db', db, '--offline', '--no-cache', '-f', 'json', ...args], { cwd, env });
  let report: JsonReport;
  try {
    report = JSON.parse(run.stdout) as JsonReport;
  } catch {
    throw new Error(`exit ${run.code}, no JSON report on stdout; stderr: ${run.stderr}`);
  }
  return { ...run, report };
}

function line(f: JsonFinding): string {
  return `${f.id} ${f.package.name} ${f.severity} ${f.status} ${f.fixedVersion ?? '-'}`;
}

const findingLines = (r: JsonReport) => r.findings.map(line).sort();
const suppressedLines = (r: JsonReport) => r.suppressed.map((s) => `${line(s.finding)} | ${s.by} | ${s.statement ?? ''} | ${s.reason}`).sort();
const without = (...removed: string[]) => GATE_FINDINGS.filter((l) => !removed.includes(l));

function dirWith(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  return dir;
}

describe('no filters', () => {
  it('reports every finding, exit 0; --exit-code N exits N when findings remain', async () => {
    const plain = await scan();
    expect(plain.code).toBe(0);
    expect(findingLines(plain.report)).toEqual(GATE_FINDINGS);
    expect(plain.report.suppressed).toEqual([]);
    expect((await scan(['--exit-code', '1'])).code).toBe(1);
    expect((await scan(['--exit-code', '7'])).code).toBe(7);
    // 0 means "never fail on findings".
    expect((await scan(['--exit-code', '0'])).code).toBe(0);
  });
});

describe('filter flags', () => {
  it('--severity keeps the named levels; the others are suppressed by "severity"', async () => {
    const s = await scan(['--severity', 'high,MEDIUM', '--exit-code', '1']);
    expect(s.code).toBe(1);
    expect(findingLines(s.report)).toEqual(['CVE-2099-1001 bash HIGH fixed 5.2.15-2+deb12u1', 'CVE-2099-1003 sed MEDIUM will_not_fix -']);
    expect(s.report.suppressed).toHaveLength(GATE_FINDINGS.length - 2);
    expect(s.report.suppressed.every((x) => x.by === 'severity' && /^severity (LOW|UNKNOWN) not in --severity HIGH,MEDIUM$/.test(x.reason))).toBe(true);
    expect(s.report.summary).toMatchObject({ findings: 2, suppressed: GATE_FINDINGS.length - 2 });

    const none = await scan(['--severity', 'CRITICAL', '--exit-code', '1']);
    expect(none.code).toBe(0);
    expect(none.report.findings).toEqual([]);
  });

  it('--ignore-unfixed leaves out findings without a fixed version', async () => {
    const s = await scan(['--ignore-unfixed']);
    expect(findingLines(s.report)).toEqual(GATE_FINDINGS.filter((l) => !l.endsWith(' -')));
    expect(suppressedLines(s.report)).toEqual(GATE_FINDINGS.filter((l) => l.endsWith(' -')).map((l) => `${l} | unfixed |  | no fixed version (--ignore-unfixed)`));
  });

  it('--ignore-status leaves out the named statuses (will_not_fix, fix_deferred, end_of_life …)', async () => {
    const s = await scan(['--ignore-status', 'will_not_fix,fix_deferred,end_of_life']);
    expect(findingLines(s.report)).toEqual(
      without('CVE-2099-1003 sed MEDIUM will_not_fix -', 'CVE-2099-1004 tar UNKNOWN fix_deferred -', 'CVE-2099-1007 coreutils UNKNOWN end_of_life -'),
    );
    expect(s.report.suppressed.map((x) => `${x.finding.id} ${x.by} ${x.reason}`).sort()).toEqual([
      'CVE-2099-1003 status status will_not_fix ignored by --ignore-status',
      'CVE-2099-1004 status status fix_deferred ignored by --ignore-status',
      'CVE-2099-1007 status status end_of_life ignored by --ignore-status',
    ]);
  });

  it('filters together can clear the gate: --ignore-unfixed with --ignore-status fixed', async () => {
    const s = await scan(['--ignore-unfixed', '--ignore-status', 'fixed', '--exit-code', '1']);
    expect(s.code).toBe(0);
    expect(s.report.findings).toEqual([]);
    expect(s.report.suppressed).toHaveLength(GATE_FINDINGS.length);
  });

  it('an unknown severity or status is a usage error (exit 2), not an empty filter', async () => {
    const bad = await strata(['rootfs', rootfs, '--db', db, '--offline', '--no-cache', '--severity', 'SEVERE', '--exit-code', '1'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--severity: unknown value "SEVERE"/);
    const badStatus = await strata(['rootfs', rootfs, '--db', db, '--offline', '--no-cache', '--ignore-status', 'wontfix'], { env });
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toMatch(/--ignore-status: unknown value "wontfix"/);
  });
});

describe('ignore files', () => {
  const text = [
    '# accepted: bash is not used by the service',
    'CVE-2099-1001    # bash only in the build stage',
    'CVE-2099-1002 exp:2000-01-01',
    'CVE-2099-1003 exp:2999-12-31 # sed fix scheduled',
    '',
    'PYSEC-2020-96',
    'DSA-9904-1',
  ].join('\n');

  it('.strataignore in the working directory: ids and aliases, comments, past and future exp: dates', async () => {
    const s = await scan(['--exit-code', '1'], dirWith('text-ignore', { '.strataignore': text }));
    expect(s.code).toBe(1);
    expect(findingLines(s.report)).toEqual(
      without(
        'CVE-2099-1001 bash HIGH fixed 5.2.15-2+deb12u1',
        'CVE-2099-1003 sed MEDIUM will_not_fix -',
        'CVE-2020-1747 PyYAML UNKNOWN fixed 5.3.1',
        'DSA-9904-1 tar UNKNOWN fixed 1.34+dfsg-1.2+deb12u2',
      ),
    );
    // The expired rule (line 3) no longer applies: CVE-2099-1002 is reported.
    expect(findingLines(s.report)).toContain('CVE-2099-1002 gzip LOW affected -');
    expect(suppressedLines(s.report)).toEqual(
      [
        `CVE-2099-1001 bash HIGH fixed 5.2.15-2+deb12u1 | ignore-file | ${path.join(work, 'text-ignore')}/.strataignore:2 | bash only in the build stage`,
        `CVE-2099-1003 sed MEDIUM will_not_fix - | ignore-file | ${path.join(work, 'text-ignore')}/.strataignore:4 | sed fix scheduled`,
        // PYSEC-2020-96 is the record behind CVE-2020-1747: an alias suppresses the finding.
        `CVE-2020-1747 PyYAML UNKNOWN fixed 5.3.1 | ignore-file | ${path.join(work, 'text-ignore')}/.strataignore:6 | ignored by ${path.join(work, 'text-ignore')}/.strataignore:6`,
        `DSA-9904-1 tar UNKNOWN fixed 1.34+dfsg-1.2+deb12u2 | ignore-file | ${path.join(work, 'text-ignore')}/.strataignore:7 | ignored by ${path.join(work, 'text-ignore')}/.strataignore:7`,
      ].sort(),
    );
  });

  it("Trivy's .trivyignore is read too, by default or with --ignorefile; everything ignored clears the gate", async () => {
    const everything = [...new Set(GATE_FINDINGS.map((l) => l.split(' ')[0]))].join('\n');
    const dir = dirWith('trivyignore', { '.trivyignore': `# all of them\n${everything}\n` });
    const byDefault = await scan(['--exit-code', '1'], dir);
    expect(byDefault.code).toBe(0);
    expect(byDefault.report.findings).toEqual([]);
    expect(byDefault.report.suppressed.every((x) => x.by === 'ignore-file' && x.statement?.startsWith(`${dir}/.trivyignore:`))).toBe(true);
    const named = await scan(['--exit-code', '1', '--ignorefile', path.join(dir, '.trivyignore')]);
    expect(named.code).toBe(0);
  });

  it('YAML rules scoped by path, package and purl, with reasons and expiry', async () => {
    const yaml = [
      'ignore:',
      '  - id: CVE-2020-14343',
      '    paths: ["opt/venv/**"]',
      '    reason: the venv only runs the build',
      '  - id: CVE-2099-1004',
      '    packages: [gzip]          # another package: no effect on tar',
      '  - id: CVE-2099-1011',
      '    purls: ["pkg:deb/debian/zlib1g"]',
      '    expires: 2999-01-01',
      '    reason: zlib update scheduled',
      '  - id: CVE-2099-1007',
      '    purls: [pkg:deb/debian/coreutils]',
      '    expires: 2000-01-01       # expired',
      '  - id: CVE-2099-1001',
      '    purls: ["pkg:deb/debian/bash@5.2.15-2%2Bb13"]',
      '    reason: this exact build',
    ].join('\n');
    const file = path.join(dirWith('yaml-ignore', { 'rules.yaml': yaml }), 'rules.yaml');
    const s = await scan(['--ignorefile', file]);
    expect(findingLines(s.report)).toEqual(
      without('CVE-2020-14343 PyYAML UNKNOWN fixed 5.4', 'CVE-2099-1011 zlib1g UNKNOWN fixed 1:1.2.13.dfsg-1+deb12u1', 'CVE-2099-1001 bash HIGH fixed 5.2.15-2+deb12u1').concat(
        'CVE-2020-14343 PyYAML UNKNOWN fixed 5.4',
      ).sort(),
    );
    // Only the venv copy of PyYAML (5.1) is suppressed; the system one (5.3.1) stays.
    const pyyaml = s.report.findings.filter((f) => f.id === 'CVE-2020-14343');
    expect(pyyaml.map((f) => f.package.paths)).toEqual([[SYSTEM_PYYAML]]);
    expect(s.report.suppressed.map((x) => `${x.finding.id} ${x.finding.package.version} ${x.statement} ${x.reason}`).sort()).toEqual([
      `CVE-2020-14343 5.1 ${file} (rule 1, CVE-2020-14343) the venv only runs the build`,
      `CVE-2099-1001 5.2.15-2+b13 ${file} (rule 5, CVE-2099-1001) this exact build`,
      `CVE-2099-1011 1:1.2.13.dfsg-1 ${file} (rule 3, CVE-2099-1011) zlib update scheduled`,
    ]);
    expect(s.report.suppressed.find((x) => x.finding.id === 'CVE-2020-14343')?.finding.package.paths).toEqual([VENV_PYYAML]);
  });

  it("Trivy's .trivyignore.yaml keys (vulnerabilities, statement, expired_at) are read by default", async () => {
    const yaml = 'vulnerabilities:\n  - id: CVE-2099-1002\n    statement: gzip is not reachable\n  - id: CVE-2099-1003\n    expired_at: 2001-02-03\n';
    const s = await scan([], dirWith('trivy-yaml', { '.trivyignore.yaml': yaml }));
    expect(suppressedLines(s.report)).toEqual([`CVE-2099-1002 gzip LOW affected - | ignore-file | ${path.join(work, 'trivy-yaml')}/.trivyignore.yaml (rule 1, CVE-2099-1002) | gzip is not reachable`]);
  });

  it('a missing or malformed ignore file is an error (exit 2), even with --exit-code 1', async () => {
    const missing = await strata(['rootfs', rootfs, '--db', db, '--offline', '--no-cache', '--exit-code', '1', '--ignorefile', path.join(work, 'nope')], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read ignore file .*nope: ENOENT/);
    const dir = dirWith('bad-ignore', { '.strataignore': 'CVE-2099-1001 until:tomorrow\n' });
    const bad = await strata(['rootfs', rootfs, '--db', db, '--offline', '--no-cache', '--exit-code', '1'], { env, cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\.strataignore:1: unexpected "until:tomorrow"/);
    expect(bad.stdout).toBe('');
  });
});

describe('VEX', () => {
  it('OpenVEX: not_affected and fixed suppress (the report names the statement), affected and under_investigation do not', async () => {
    const vex = {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/2026-01',
      author: 'Example Security',
      timestamp: '2026-01-05T00:00:00Z',
      version: 1,
      statements: [
        { vulnerability: { name: 'CVE-2099-1001' }, products: [{ '@id': 'pkg:deb/debian/bash' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' },
        { vulnerability: { name: 'CVE-2099-1003' }, products: [{ '@id': 'pkg:deb/debian/sed@4.9-1%2Bdeb12u1?arch=amd64' }], status: 'fixed' },
        { vulnerability: { name: 'CVE-2099-1002' }, products: [{ '@id': 'pkg:deb/debian/gzip' }], status: 'affected', action_statement: 'update when available' },
        { vulnerability: { name: 'CVE-2099-1004' }, products: [{ '@id': 'pkg:deb/debian/tar' }], status: 'under_investigation' },
        // About the image (any build: no digest), limited to one subcomponent: only PyYAML 5.1 is covered.
        {
          vulnerability: { name: 'GHSA-8q59-q68h-6hv4' },
          products: [{ '@id': 'pkg:oci/app', subcomponents: [{ '@id': 'pkg:pypi/pyyaml@5.1' }] }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_present',
        },
        // Another version of zlib1g: does not apply.
        { vulnerability: { name: 'CVE-2099-1011' }, products: [{ '@id': 'pkg:deb/debian/zlib1g@1%3A1.2.12-1' }], status: 'not_affected', justification: 'component_not_present' },
      ],
    };
    const file = path.join(dirWith('openvex', { 'app.openvex.json': JSON.stringify(vex) }), 'app.openvex.json');
    const s = await scan(['--vex', file, '--exit-code', '1']);
    expect(s.code).toBe(1);
    expect(s.report.suppressed.map((x) => `${x.finding.id} ${x.finding.package.version} ${x.by} ${x.vex?.status} ${x.vex?.justification ?? '-'} | ${x.statement}`).sort()).toEqual([
      `CVE-2020-14343 5.1 vex not_affected vulnerable_code_not_present | ${file}: statement 5 (GHSA-8q59-q68h-6hv4)`,
      `CVE-2099-1001 5.2.15-2+b13 vex not_affected vulnerable_code_not_in_execute_path | ${file}: statement 1 (CVE-2099-1001)`,
      `CVE-2099-1003 4.9-1+deb12u1 vex fixed - | ${file}: statement 2 (CVE-2099-1003)`,
    ]);
    expect(s.report.suppressed.find((x) => x.finding.id === 'CVE-2099-1001')?.reason).toBe('VEX not_affected (vulnerable_code_not_in_execute_path)');
    expect(findingLines(s.report)).toContain('CVE-2099-1002 gzip LOW affected -');
    expect(findingLines(s.report)).toContain('CVE-2099-1004 tar UNKNOWN fix_deferred -');
    expect(findingLines(s.report)).toContain('CVE-2099-1011 zlib1g UNKNOWN fixed 1:1.2.13.dfsg-1+deb12u1');
    expect(s.report.findings.filter((f) => f.id === 'CVE-2020-14343').map((f) => f.package.version)).toEqual(['5.3.1']);
  });

  it('CycloneDX VEX: not_affected/false_positive/resolved suppress by bom-ref or purl; exploitable does not', async () => {
    const bom = {
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      version: 1,
      components: [{ 'bom-ref': 'zlib-ref', type: 'library', name: 'zlib1g', purl: 'pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12' }],
      vulnerabilities: [
        { id: 'CVE-2099-1011', analysis: { state: 'not_affected', justification: 'code_not_reachable', detail: 'zlib is only used for gzip decoding' }, affects: [{ ref: 'zlib-ref' }] },
        { id: 'DSA-9904-1', analysis: { state: 'resolved' }, affects: [{ ref: 'pkg:deb/debian/tar' }] },
        { id: 'CVE-2099-1002', analysis: { state: 'false_positive' }, affects: [{ ref: 'pkg:deb/debian/gzip' }] },
        { id: 'CVE-2099-1007', analysis: { state: 'exploitable', response: ['update'] }, affects: [{ ref: 'pkg:deb/debian/coreutils' }] },
        { id: 'CVE-2099-1004', analysis: { state: 'not_affected', justification: 'code_not_present' }, affects: [{ ref: 'pkg:deb/debian/gzip' }] },
      ],
    };
    const file = path.join(dirWith('cdx-vex', { 'vex.cdx.json': JSON.stringify(bom) }), 'vex.cdx.json');
    const s = await scan(['--vex', file]);
    expect(s.report.suppressed.map((x) => `${x.finding.id} ${x.vex?.status} ${x.vex?.justification ?? '-'} | ${x.statement} | ${x.reason}`).sort()).toEqual([
      `CVE-2099-1002 not_affected - | ${file}: vulnerability CVE-2099-1002 | VEX not_affected`,
      `CVE-2099-1011 not_affected code_not_reachable | ${file}: vulnerability CVE-2099-1011 | VEX not_affected (code_not_reachable): zlib is only used for gzip decoding`,
      `DSA-9904-1 fixed - | ${file}: vulnerability DSA-9904-1 | VEX fixed`,
    ]);
    // exploitable, and a statement about another package, leave findings alone.
    expect(findingLines(s.report)).toContain('CVE-2099-1007 coreutils UNKNOWN end_of_life -');
    expect(findingLines(s.report)).toContain('CVE-2099-1004 tar UNKNOWN fix_deferred -');
  });

  it('a statement pinned to an image digest applies to that image only, also when several images are scanned at once', async () => {
    const image = debianImage();
    // The OCI layout's manifest and config digests, read from the layout itself.
    const index = JSON.parse(readFileSync(path.join(image.ociLayout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    const manifestDigest = index.manifests[0]?.digest as string;
    const manifest = JSON.parse(readFileSync(path.join(image.ociLayout, 'blobs', 'sha256', manifestDigest.slice(7)), 'utf8')) as { config: { digest: string } };
    const vex = {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      statements: [
        // This build's manifest digest: only the OCI layout has it (a docker-archive has no manifest digest).
        { vulnerability: { name: 'CVE-2099-1001' }, products: [{ '@id': `pkg:oci/debian@${manifestDigest.replace(':', '%3A')}?tag=12` }], status: 'not_affected', justification: 'vulnerable_code_not_present' },
        // The config digest: the same image in both forms.
        { vulnerability: { name: 'CVE-2099-1002' }, products: [{ '@id': manifest.config.digest }], status: 'fixed' },
        // Another build of the image: applies to neither.
        { vulnerability: { name: 'CVE-2099-1003' }, products: [{ '@id': `pkg:oci/debian@sha256:${'f'.repeat(64)}` }], status: 'not_affected', justification: 'component_not_present' },
      ],
    };
    const file = path.join(dirWith('digest-vex', { 'vex.json': JSON.stringify(vex) }), 'vex.json');
    const run = await strata(['image', '--input', image.ociLayout, '--input', image.dockerArchive, '--db', db, '--offline', '--cache-dir', path.join(work, 'cache'), '-f', 'json', '--vex', file], { env });
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as JsonCombinedReport;
    const suppressed = (source: string) =>
      [...new Set(doc.results.find((r) => r.artifact.source === source)?.suppressed.map((x) => `${x.finding.id} ${x.vex?.status}`))].sort();
    expect(suppressed('oci-layout')).toEqual(['CVE-2099-1001 not_affected', 'CVE-2099-1002 fixed']);
    expect(suppressed('docker-archive')).toEqual(['CVE-2099-1002 fixed']);
    for (const r of doc.results) expect(r.findings.some((f) => f.id === 'CVE-2099-1003')).toBe(true);
  });

  it('a VEX file that is neither OpenVEX nor CycloneDX is an error (exit 2)', async () => {
    const file = path.join(dirWith('bad-vex', { 'x.json': '{"hello":"world"}' }), 'x.json');
    const s = await strata(['rootfs', rootfs, '--db', db, '--offline', '--no-cache', '--vex', file, '--exit-code', '1'], { env });
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/not an OpenVEX or CycloneDX VEX document/);
  });
});

describe('errors are not findings', () => {
  it('--exit-code without a database is an error (exit 2), not a pass; without --exit-code it warns and lists packages', async () => {
    const gate = await strata(['rootfs', rootfs, '--db', path.join(work, 'missing.db'), '--offline', '--no-cache', '--exit-code', '1', '-f', 'json'], { env });
    expect(gate.code).toBe(2);
    expect(gate.stderr).toMatch(/no vulnerability database at .*missing\.db.*--exit-code needs a database to gate on/);
    expect(gate.stdout).toBe('');
    const list = await strata(['rootfs', rootfs, '--db', path.join(work, 'missing.db'), '--offline', '--no-cache', '-f', 'json'], { env });
    expect(list.code).toBe(0);
    expect(list.stderr).toMatch(/no vulnerability database/);
    const report = JSON.parse(list.stdout) as JsonReport;
    expect(report.packages.length).toBe(9);
    expect(report.database).toBeNull();
  });

  it('a file that is not a database is an error (exit 2), not an empty match', async () => {
    const bad = path.join(work, 'not-a.db');
    writeFileSync(bad, 'garbage\n');
    const run = await strata(['rootfs', rootfs, '--db', bad, '--offline', '--no-cache', '--exit-code', '1'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not-a\.db is not a Strata vulnerability database/);
  });

  it('one of several targets failing: the others are still reported, and the exit code is 2, not the --exit-code', async () => {
    const run = await strata(['rootfs', rootfs, path.join(work, 'no-such-dir'), '--db', db, '--offline', '--no-cache', '-f', 'json', '--exit-code', '1'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/strata: error: .*no-such-dir/);
    // Two targets were named: the combined document, with the one that could be scanned.
    const doc = JSON.parse(run.stdout) as { results: JsonReport[] };
    expect(doc.results).toHaveLength(1);
    expect(findingLines(doc.results[0] as JsonReport)).toEqual(GATE_FINDINGS);
  });

  it('a target that cannot be read exits 2 even with --exit-code 1; --exit-code 2 itself is refused', async () => {
    const missing = await strata(['image', '--input', path.join(work, 'no-such-image.tar'), '--db', db, '--offline', '--no-cache', '--exit-code', '1'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^strata: error: .*no-such-image\.tar/m);
    const reserved = await strata(['rootfs', rootfs, '--db', db, '--offline', '--no-cache', '--exit-code', '2'], { env });
    expect(reserved.code).toBe(2);
    expect(reserved.stderr).toMatch(/--exit-code 2 is reserved for errors/);
  });
});

describe('SBOM input', () => {
  it('strata sbom-scan and strata image --sbom gate an SBOM made by strata sbom (CycloneDX and SPDX) like the scan itself', async () => {
    for (const format of ['cyclonedx', 'spdx-json']) {
      const sbom = path.join(work, `gate.${format}.json`);
      const made = await strata(['sbom', '--rootfs', rootfs, '--no-cache', '-f', format, '-o', sbom], { env });
      expect(made.code, made.stderr).toBe(0);
      for (const args of [['sbom-scan', sbom], ['image', '--sbom', sbom]]) {
        const run = await strata([...args, '--db', db, '--offline', '-f', 'json', '--exit-code', '1', '--ignore-unfixed'], { env });
        expect(run.code, `${format} ${args[0]}: ${run.stderr}`).toBe(1);
        const report = JSON.parse(run.stdout) as JsonReport;
        expect(report.findings.map((f) => `${f.id} ${f.package.name} ${f.installedVersion} ${f.fixedVersion}`).sort()).toEqual([
          'CVE-2019-20477 PyYAML 5.1 5.2b1',
          'CVE-2020-14343 PyYAML 5.1 5.4',
          'CVE-2020-14343 PyYAML 5.3.1 5.4',
          'CVE-2020-1747 PyYAML 5.1 5.3.1',
          'CVE-2099-1001 bash 5.2.15-2 5.2.15-2+deb12u1',
          'CVE-2099-1011 zlib1g 1:1.2.13.dfsg-1 1:1.2.13.dfsg-1+deb12u1',
          'DSA-9904-1 tar 1.34+dfsg-1.2+deb12u1 1.34+dfsg-1.2+deb12u2',
        ]);
        expect(report.suppressed.map((x) => x.by)).toEqual(Array(4).fill('unfixed'));
      }
    }
  });
});

describe('reports', () => {
  it('--format json,sarif --output-dir writes both files; several formats without --output-dir is a usage error', async () => {
    const out = path.join(work, 'reports');
    const run = await strata(['rootfs', rootfs, '--db', db, '--offline', '--no-cache', '--format', 'json,sarif', '--output-dir', out, '--exit-code', '1'], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const json = JSON.parse(readFileSync(path.join(out, 'strata-report.json'), 'utf8')) as JsonReport;
    expect(findingLines(json)).toEqual(GATE_FINDINGS);
    const sarif = JSON.parse(readFileSync(path.join(out, 'strata-report.sarif'), 'utf8')) as { version: string; runs: Array<{ results: Array<{ ruleId: string }> }> };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    expect(sarif.runs[0]?.results.map((r) => r.ruleId).sort()).toEqual(GATE_FINDINGS.map((l) => l.split(' ')[0]).sort());

    const both = await strata(['rootfs', rootfs, '--db', db, '--offline', '--no-cache', '--format', 'json,sarif'], { env });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/several formats \(json, sarif\) need --output-dir DIR/);
  });

  it('several images in one command give one combined JSON document, and the gate sees all of them', async () => {
    const clean = path.join(work, 'clean-rootfs');
    mkdirSync(path.join(clean, 'etc'), { recursive: true });
    writeFileSync(path.join(clean, 'etc', 'os-release'), 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n');
    const run = await strata(['rootfs', clean, rootfs, '--db', db, '--offline', '--no-cache', '-f', 'json', '--exit-code', '1'], { env });
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as JsonCombinedReport;
    expect(doc.schemaVersion).toBe(1);
    expect(doc.results.map((r) => [r.artifact.name, r.summary.findings])).toEqual(
      expect.arrayContaining([
        [expect.stringContaining('clean-rootfs'), 0],
        [expect.stringMatching(/rootfs$/), GATE_FINDINGS.length],
      ]),
    );
    expect(doc.results).toHaveLength(2);
  });

  it('two real images (OCI layout and docker-archive of the Debian test image) in one `strata image` run', async () => {
    const image = debianImage();
    const run = await strata(['image', '--input', image.ociLayout, '--input', image.dockerArchive, '--db', db, '--offline', '--cache-dir', path.join(work, 'cache'), '-f', 'json'], { env });
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as JsonCombinedReport;
    expect(doc.results).toHaveLength(2);
    // The same image twice: the same findings, by id and package.
    const keys = (r: { findings: Array<{ id: string; package: { name: string } }> }) => r.findings.map((f) => `${f.id} ${f.package.name}`).sort();
    const [a, b] = doc.results.map(keys);
    expect(a).toEqual(b);
    // …and the same as scanning it alone (how many there are depends on what the mirror installed).
    const alone = await strata(['image', '--input', image.ociLayout, '--db', db, '--offline', '--cache-dir', path.join(work, 'cache'), '-f', 'json'], { env });
    expect(alone.code, alone.stderr).toBe(0);
    expect(a).toEqual(keys(JSON.parse(alone.stdout) as JsonReport));
    expect(a?.length).toBeGreaterThan(0);
  });
});

describe('webhook', () => {
  interface Received {
    headers: IncomingMessage['headers'];
    body: string;
  }
  let server: Server;
  let url: string;
  const received: Received[] = [];
  let failing: Server;
  let failingUrl: string;
  let failingHits = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    failing = createServer((req, res) => {
      failingHits++;
      req.resume();
      res.writeHead(503).end('down');
    });
    await Promise.all([new Promise<void>((r) => server.listen(0, '127.0.0.1', r)), new Promise<void>((r) => failing.listen(0, '127.0.0.1', r))]);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/strata?token=SECRET-TOKEN`;
    failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    await Promise.all([new Promise((r) => server?.close(r)), new Promise((r) => failing?.close(r))]);
  });

  it('posts a signed JSON summary (HMAC-SHA256 of the exact body) after the scan', async () => {
    const s = await scan(['--webhook', url, '--webhook-secret', 's3cr3t', '--severity', 'HIGH,MEDIUM,LOW', '--exit-code', '1']);
    expect(s.code).toBe(1);
    expect(received).toHaveLength(1);
    const hook = received[0] as Received;
    expect(hook.headers['content-type']).toBe('application/json');
    const expected = `sha256=${createHmac('sha256', 's3cr3t').update(hook.body).digest('hex')}`;
    expect(hook.headers['x-strata-signature']).toBe(expected);
    const summary = JSON.parse(hook.body) as {
      event: string;
      artifact: { name: string };
      os: string;
      counts: Record<string, number>;
      topFindings: Array<{ id: string; severity: string }>;
    };
    expect(summary.event).toBe('scan.completed');
    expect(summary.artifact.name).toContain('rootfs');
    expect(summary.os).toBe('Debian:12');
    // Counts are of the findings that remain after the filters, as the gate sees them.
    expect(summary.counts).toMatchObject({ CRITICAL: 0, HIGH: 1, MEDIUM: 1, LOW: 1, UNKNOWN: 0, total: 3, suppressed: GATE_FINDINGS.length - 3 });
    expect(summary.topFindings.map((f) => `${f.id} ${f.severity}`)).toEqual(['CVE-2099-1001 HIGH', 'CVE-2099-1003 MEDIUM', 'CVE-2099-1002 LOW']);
    // The report still went to stdout, and the URL's token was not printed anywhere.
    expect(s.report.summary.findings).toBe(3);
    expect(s.stderr).not.toContain('SECRET-TOKEN');
  });

  it('without a secret there is no signature header; STRATA_WEBHOOK_SECRET also signs', async () => {
    received.length = 0;
    await scan(['--webhook', url]);
    expect(received[0]?.headers['x-strata-signature']).toBeUndefined();
    received.length = 0;
    const run = await strata(['rootfs', rootfs, '--db', db, '--offline', '--no-cache', '-f', 'json', '--webhook', url], { env: { ...env, STRATA_WEBHOOK_SECRET: 'from-env' } });
    expect(run.code).toBe(0);
    const hook = received[0] as Received;
    expect(hook.headers['x-strata-signature']).toBe(`sha256=${createHmac('sha256', 'from-env').update(hook.body).digest('hex')}`);
  });

  it('a URL that can never work is a usage error before scanning (exit 2), not a warning after it', async () => {
    for (const bad of ['not a url', 'ftp://127.0.0.1/hook']) {
      const run = await strata(['rootfs', rootfs, '--db', db, '--offline', '--no-cache', '-f', 'json', '--webhook', bad], { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--webhook must be an http:\/\/ or https:\/\/ URL/);
      expect(run.stdout).toBe('');
    }
  });

  it('a failing receiver is retried, then only warned about: the report and the exit code stand', async () => {
    const s = await scan(['--webhook', failingUrl, '--webhook-secret', 'x', '--exit-code', '1']);
    expect(s.code).toBe(1);
    expect(failingHits).toBeGreaterThan(1);
    expect(s.stderr).toMatch(/webhook http:\/\/127\.0\.0\.1:\d+\/hook failed: HTTP 503; the scan result is unaffected/);
    // Exit 1 from the findings, not 2: the failed notification is no error.
    expect(findingLines(s.report)).toEqual(GATE_FINDINGS);
  }, 60_000);
});
