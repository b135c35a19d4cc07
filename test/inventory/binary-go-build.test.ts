/**
 * Builds real Go programs with the Go toolchain on this machine (Debian's
 * golang-go) for several platforms — ELF 32/64-bit, little and big endian,
 * Mach-O, PE32 and PE32+ — from a module that replaces one dependency with
 * a fork (served by a file:// module proxy, no network) and another with a
 * local directory. `go version -m` is the oracle for the build info; the
 * scanner's packages must follow from it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryFromFiles } from '../../src/inventory/from-files.js';
import { goBinaryScanner } from '../../src/inventory/lang/go-binary.js';
import { type GoBuildInfo, readGoBuildInfo } from '../../src/inventory/lang/go-buildinfo.js';

function goVersion(): string | undefined {
  try {
    return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim();
  } catch {
    return undefined;
  }
}

const GO = goVersion();
/** Checksums differ per module zip; only their form is fixed. */
const H1: unknown = expect.stringMatching(/^h1:/);

const TARGETS = [
  { goos: 'linux', goarch: 'amd64', file: 'app-linux-amd64', format: 'elf', flags: ['-trimpath'] },
  { goos: 'linux', goarch: '386', file: 'app-linux-386', format: 'elf', flags: [] },
  { goos: 'linux', goarch: 'ppc64', file: 'app-linux-ppc64', format: 'elf', flags: [] },
  { goos: 'darwin', goarch: 'arm64', file: 'app-darwin-arm64', format: 'macho', flags: [] },
  { goos: 'darwin', goarch: 'amd64', file: 'app-darwin-amd64', format: 'macho', flags: [] },
  { goos: 'windows', goarch: 'amd64', file: 'app-windows-amd64.exe', format: 'pe', flags: [] },
  // -ldflags with a quoted value: recorded as a Go-quoted build setting.
  { goos: 'windows', goarch: '386', file: 'app-windows-386.exe', format: 'pe', flags: ['-ldflags=-X "main.flavour=two words"'] },
] as const;

/** `go version -m FILE`, parsed into the same shape the scanner produces. */
function goVersionM(file: string, env: NodeJS.ProcessEnv): Omit<GoBuildInfo, 'format'> {
  const out = execFileSync('go', ['version', '-m', file], { encoding: 'utf8', env });
  const [first, ...lines] = out.split('\n');
  const info: Omit<GoBuildInfo, 'format'> = { goVersion: (first ?? '').slice(file.length + 2).trim(), deps: [], settings: [] };
  for (const line of lines) {
    const [kind, ...f] = line.replace(/^\t/, '').split('\t');
    if (kind === 'path') info.path = f[0];
    else if (kind === 'mod') info.main = { path: f[0] as string, version: f[1] as string, ...(f[2] ? { sum: f[2] } : {}) };
    else if (kind === 'dep') info.deps.push({ path: f[0] as string, version: f[1] as string, ...(f[2] ? { sum: f[2] } : {}) });
    else if (kind === '=>') {
      const last = info.deps[info.deps.length - 1];
      if (last) last.replace = { path: f[0] as string, ...(f[1] ? { version: f[1] } : {}), ...(f[2] ? { sum: f[2] } : {}) };
    } else if (kind === 'build') {
      // `go version -m` prints settings in their quoted form; the scanner stores them unquoted.
      const kv = f.join('\t');
      const eq = kv.indexOf('=');
      let value = kv.slice(eq + 1);
      if (value.startsWith('"')) value = JSON.parse(value) as string;
      info.settings.push([kv.slice(0, eq), value]);
    }
  }
  return info;
}

/** A universal binary as lipo writes it: big-endian fat header, then each slice 16 KiB-aligned. */
function fatMachO(slices: Buffer[]): Buffer {
  const ALIGN_LOG2 = 14;
  const alignUp = (n: number) => Math.ceil(n / 2 ** ALIGN_LOG2) * 2 ** ALIGN_LOG2;
  const header = Buffer.alloc(8 + 20 * slices.length);
  header.writeUInt32BE(0xcafebabe, 0);
  header.writeUInt32BE(slices.length, 4);
  const parts: Buffer[] = [header];
  let pos = header.length;
  slices.forEach((slice, i) => {
    const offset = alignUp(pos);
    parts.push(Buffer.alloc(offset - pos), slice);
    const o = 8 + 20 * i;
    header.writeUInt32BE(slice.readUInt32LE(4), o); // cputype, from the (little-endian) slice header
    header.writeUInt32BE(slice.readUInt32LE(8), o + 4); // cpusubtype
    header.writeUInt32BE(offset, o + 8);
    header.writeUInt32BE(slice.length, o + 12);
    header.writeUInt32BE(ALIGN_LOG2, o + 16);
    pos = offset + slice.length;
  });
  return Buffer.concat(parts);
}

describe.skipIf(GO === undefined)(`Go binaries built here with ${GO ?? 'no Go toolchain (install golang-go)'}`, () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  const binaries = new Map<string, Buffer>();

  beforeAll(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'strata-go-build-'));
    const write = (rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(work, rel)), { recursive: true });
      writeFileSync(path.join(work, rel), text);
    };
    // A module proxy on disk (https://go.dev/ref/mod#goproxy-protocol) serving example.com/fork v1.1.0.
    const forkMod = 'module example.com/fork\n\ngo 1.16\n';
    const enc = new TextEncoder();
    write('proxy/example.com/fork/@v/list', 'v1.1.0\n');
    write('proxy/example.com/fork/@v/v1.1.0.info', '{"Version":"v1.1.0","Time":"2023-01-01T00:00:00Z"}');
    write('proxy/example.com/fork/@v/v1.1.0.mod', forkMod);
    writeFileSync(
      path.join(work, 'proxy/example.com/fork/@v/v1.1.0.zip'),
      zipSync({
        'example.com/fork@v1.1.0/go.mod': enc.encode(forkMod),
        'example.com/fork@v1.1.0/lib.go': enc.encode('package lib\n\nfunc Hello() string { return "fork" }\n'),
      }),
    );
    write('src/local/go.mod', 'module example.com/local\n\ngo 1.16\n');
    write('src/local/local.go', 'package local\n\nfunc N() int { return 1 }\n');
    write(
      'src/app/go.mod',
      [
        'module example.com/app',
        '',
        'go 1.19',
        '',
        'require (',
        '\texample.com/lib v1.0.0',
        '\texample.com/local v0.3.0',
        ')',
        '',
        'replace example.com/lib v1.0.0 => example.com/fork v1.1.0',
        '',
        'replace example.com/local => ../local',
        '',
      ].join('\n'),
    );
    write(
      'src/app/main.go',
      // println, not fmt: fewer standard packages to cross-compile per platform.
      'package main\n\nimport (\n\tlib "example.com/lib"\n\t"example.com/local"\n)\n\nvar flavour = "one"\n\nfunc main() { println(lib.Hello(), local.N(), flavour) }\n',
    );
    env = {
      ...process.env,
      GOPROXY: `file://${path.join(work, 'proxy')}`,
      GOSUMDB: 'off',
      GOFLAGS: '-mod=mod -modcacherw',
      GOPATH: path.join(work, 'gopath'),
      // Shared across runs (in the temp dir) so cross-compiled standard libraries are built once.
      GOCACHE: path.join(os.tmpdir(), 'strata-test-gocache'),
      GOTOOLCHAIN: 'local',
      CGO_ENABLED: '0',
      HOME: work,
    };
    for (const t of TARGETS) {
      execFileSync('go', ['build', ...t.flags, '-o', path.join(work, t.file), '.'], {
        cwd: path.join(work, 'src/app'),
        env: { ...env, GOOS: t.goos, GOARCH: t.goarch },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      binaries.set(t.file, readFileSync(path.join(work, t.file)));
    }
  });

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  for (const t of TARGETS) {
    it(`${t.goos}/${t.goarch} (${t.format}): build info equals go version -m`, () => {
      const info = readGoBuildInfo(binaries.get(t.file) as Buffer);
      expect(info?.format).toBe(t.format);
      expect(info && { ...info, format: undefined }).toEqual({ ...goVersionM(path.join(work, t.file), env), format: undefined });
      expect(info?.deps).toEqual([
        { path: 'example.com/lib', version: 'v1.0.0', replace: { path: 'example.com/fork', version: 'v1.1.0', sum: H1 } },
        { path: 'example.com/local', version: 'v0.3.0', replace: { path: '../local', version: '(devel)' } },
      ]);
      const settings = new Map(info?.settings);
      expect(settings.get('GOARCH')).toBe(t.goarch);
      expect(settings.get('-trimpath')).toBe((t.flags as readonly string[]).includes('-trimpath') ? 'true' : undefined);
      if (t.goarch === '386' && t.goos === 'windows') expect(settings.get('-ldflags')).toBe('-X "main.flavour=two words"');
    });
  }

  it('reads a universal (fat) Mach-O assembled from the darwin/amd64 and darwin/arm64 builds', () => {
    const slices = [binaries.get('app-darwin-amd64'), binaries.get('app-darwin-arm64')] as Buffer[];
    const fat = fatMachO(slices);
    const info = readGoBuildInfo(fat);
    // The first slice with build info answers: the amd64 one.
    expect(info).toEqual(readGoBuildInfo(slices[0] as Buffer));
    expect(new Map(info?.settings).get('GOARCH')).toBe('amd64');
  });

  it('reports the fork in place of the module it replaces, and the local replacement as unversioned', async () => {
    const inv = await inventoryFromFiles(
      [goBinaryScanner],
      // Windows binaries carry no exec bit in an image: their .exe name is enough.
      TARGETS.map((t) => ({ path: `opt/bin/${t.file}`, content: binaries.get(t.file) as Buffer, mode: t.goos === 'windows' ? 0o644 : 0o755 })),
    );
    expect(inv.skipped).toEqual([]);
    const allPaths = TARGETS.map((t) => `opt/bin/${t.file}`).sort();
    const stdlibVersion = (GO ?? '').replace(/^go/, '');
    expect(inv.packages.map((p) => ({ id: `${p.name}@${p.version}`, purl: p.purl, paths: [...p.paths].sort() })).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'example.com/app@(devel)', purl: 'pkg:golang/example.com/app', paths: allPaths },
      { id: 'example.com/fork@v1.1.0', purl: 'pkg:golang/example.com/fork@v1.1.0', paths: allPaths },
      { id: 'example.com/local@(devel)', purl: 'pkg:golang/example.com/local', paths: allPaths },
      { id: `stdlib@${stdlibVersion}`, purl: `pkg:golang/stdlib@${stdlibVersion}`, paths: allPaths },
    ]);
    const fork = inv.packages.find((p) => p.name === 'example.com/fork');
    expect(fork?.metadata).toEqual({ relation: 'dependency', replaces: 'example.com/lib@v1.0.0', sum: H1 });
    const local = inv.packages.find((p) => p.name === 'example.com/local');
    expect(local?.metadata).toEqual({ relation: 'dependency', replacedBy: '../local', requiredVersion: 'v0.3.0', unversioned: true });
    expect(inv.packages.find((p) => p.name === 'stdlib')?.cpe).toBe(`cpe:2.3:a:golang:go:${stdlibVersion}:*:*:*:*:*:*:*`);
  });
});
