import { describe, expect, it } from 'vitest';
import { stripVTControlCharacters } from 'node:util';
import { renderTable } from './table.js';
import { alpineScan, cleanScan, debianAppScan, FINDINGS, IMAGE, noDatabaseScan } from './testing/scan-results.js';

const ANSI = /\u001b\[/;

/** The text under each `Heading\n=======` until the next heading. */
function sections(text: string): Map<string, string> {
  const lines = text.split('\n');
  const out = new Map<string, string>();
  let current: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const next = lines[i + 1];
    if (next && /^=+$/.test(next) && next.length === lines[i]!.length) {
      current = lines[i]!;
      out.set(current, '');
      i++;
      continue;
    }
    if (current) out.set(current, out.get(current)! + lines[i] + '\n');
  }
  return out;
}

/** Table rows as arrays of trimmed cells (continuation lines included). */
function rows(section: string): string[][] {
  return section
    .split('\n')
    .filter((l) => l.startsWith('│') && !l.includes('─'))
    .map((l) => l.slice(1, -1).split('│').map((c) => c.trim()));
}

describe('table report', () => {
  const text = renderTable([debianAppScan()]);
  const bySection = sections(text);

  it('groups findings by target: the OS packages first, then each language target', () => {
    expect([...bySection.keys()]).toEqual([
      `${IMAGE} (debian 12.4)`,
      'Python',
      'app/package-lock.json',
      'usr/local/bin/esbuild',
    ]);
    const os = rows(bySection.get(`${IMAGE} (debian 12.4)`)!);
    const libraries = os.map((r) => r[0]).filter((x) => x && x !== 'Library');
    expect(libraries).toEqual(['libc6', 'libssl3', 'openssl', 'zlib1g']);
    expect(rows(bySection.get('usr/local/bin/esbuild')!).some((r) => r[0] === 'stdlib' && r[1] === 'CVE-2023-45288')).toBe(true);
    expect(rows(bySection.get('Python')!).some((r) => r[0] === 'urllib3' && r[5] === '2.0.7')).toBe(true);
    expect(rows(bySection.get('app/package-lock.json')!).some((r) => r[0] === 'lodash' && r[2] === 'HIGH')).toBe(true);
  });

  it('shows each finding with its columns, worst first within a package', () => {
    const os = rows(bySection.get(`${IMAGE} (debian 12.4)`)!);
    expect(os[0]).toEqual(['Library', 'Vulnerability', 'Severity', 'Status', 'Installed Version', 'Fixed Version', 'Title']);
    const find = (id: string, lib?: string) => os.find((r) => r[1]?.startsWith(id) && (lib === undefined || r[0] === lib || r[0] === ''));
    expect(find('CVE-2023-45853')).toEqual([
      'zlib1g',
      'CVE-2023-45853',
      'CRITICAL',
      'will_not_fix',
      '1:1.2.13.dfsg-1',
      '',
      'zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6',
    ]);
    // Known-exploited vulnerabilities are marked where people look.
    expect(find('CVE-2023-4911')?.[1]).toBe('CVE-2023-4911 (KEV)');
    // libssl3's two findings: HIGH before MEDIUM, sharing one Library cell.
    const libssl3 = os.findIndex((r) => r[0] === 'libssl3');
    expect(os[libssl3]!.slice(1, 3)).toEqual(['CVE-2023-5363', 'HIGH']);
    const next = os.slice(libssl3 + 1).find((r) => r[1] !== '');
    expect(next?.slice(0, 3)).toEqual(['', 'CVE-2023-5678', 'MEDIUM']);
    // The vulnerability's link sits under its title.
    expect(bySection.get(`${IMAGE} (debian 12.4)`)).toContain('https://nvd.nist.gov/vuln/detail/CVE-2023-5363');
  });

  it('prints counts per severity for each target and in total', () => {
    expect(bySection.get(`${IMAGE} (debian 12.4)`)).toMatch(/^Total: 6 \(UNKNOWN: 0, LOW: 1, MEDIUM: 1, HIGH: 3, CRITICAL: 1\)$/m);
    expect(bySection.get('Python')).toMatch(/^Total: 1 \(UNKNOWN: 0, LOW: 0, MEDIUM: 1, HIGH: 0, CRITICAL: 0\)$/m);
    expect(text).toContain(`${IMAGE}: Total: 9 (UNKNOWN: 0, LOW: 1, MEDIUM: 2, HIGH: 5, CRITICAL: 1) in 4 targets`);
    expect(text).toContain('1 finding suppressed (vex: 1)');
  });

  it('opens with a summary of every target and its package count', () => {
    const summary = rows(text.slice(0, text.indexOf(`${IMAGE} (debian 12.4)\n=`)));
    expect(summary).toEqual([
      ['Target', 'Type', 'Packages', 'Vulnerabilities'],
      [`${IMAGE} (debian 12.4)`, 'debian', '5', '6'],
      ['Python', 'python', '2', '1'],
      ['app/package-lock.json', 'npm', '2', '1'],
      ['usr/local/bin/esbuild', 'go-binary', '3', '1'],
    ]);
  });

  it('mentions what could not be read', () => {
    expect(text).toContain('Skipped 1 item that could not be read');
    expect(text).toContain('app/node_modules/broken/package.json');
  });

  it('uses no colour unless asked, and colours severities when asked', () => {
    expect(text).not.toMatch(ANSI);
    const colored = renderTable([debianAppScan()], { color: true });
    expect(colored).toMatch(ANSI);
    expect(colored).toContain('\u001b[31mHIGH\u001b[39m');
    expect(colored).toContain('\u001b[33mMEDIUM\u001b[39m');
    // Same words once the colour is stripped.
    expect(stripVTControlCharacters(colored)).toBe(text);
  });

  it('fits the tables to the terminal width', () => {
    for (const width of [130, 160]) {
      const lines = renderTable([debianAppScan()], { width }).split('\n');
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(width);
    }
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeGreaterThan(160);
  });

  it('a scan without a database says plainly that nothing was matched', () => {
    const out = renderTable([noDatabaseScan()]);
    expect(out.split('\n')[0]).toBe(`${IMAGE} (debian 12.4): 12 packages found, no vulnerability database was used: nothing was matched.`);
    expect(out).not.toContain('Total:');
  });

  it('a clean scan is one line', () => {
    const out = renderTable([cleanScan()]);
    expect(out.split('\n')[0]).toBe('docker.io/library/debian:12 (debian 12.4): no vulnerabilities found in 2 packages.');
  });

  it('shows the installed package version, and the source version compared when it differs (binNMU)', () => {
    const scan = debianAppScan();
    const deb = scan.packages.find((p) => p.name === 'python3-yaml')!;
    scan.findings = [
      {
        ...FINDINGS.libc6_4756,
        id: 'CVE-2020-14343',
        package: { name: deb.name, version: deb.version, ecosystem: deb.ecosystem, purl: deb.purl, source: deb.source, paths: deb.paths },
        installedVersion: '6.0-3',
        title: 'PyYAML: incomplete fix for CVE-2020-1747',
      },
    ];
    const r = rows(sections(renderTable([scan])).get(`${IMAGE} (debian 12.4)`)!);
    expect(r[1]!.slice(0, 5)).toEqual(['python3-yaml', 'CVE-2020-14343', 'LOW', 'affected', '6.0-3+b2']);
    expect(r[2]![4]).toBe('(source 6.0-3)');
  });

  it('marks findings that came from CPE matching', () => {
    const scan = debianAppScan();
    scan.findings = [{ ...FINDINGS.lodash_23337, explanation: { ...FINDINGS.lodash_23337.explanation, matchedBy: 'cpe' } }];
    expect(renderTable([scan])).toContain('[matched by CPE] Command Injection in lodash');
  });

  it('several images: one report each, then a grand total', () => {
    const out = renderTable([debianAppScan(), alpineScan()]);
    expect(out).toContain('docker.io/library/alpine:3.19 (alpine 3.19.1)\n=============================================');
    expect(out.trimEnd().split('\n').at(-1)).toBe('All 2 artifacts: Total: 10 (UNKNOWN: 0, LOW: 1, MEDIUM: 3, HIGH: 5, CRITICAL: 1)');
  });
});
