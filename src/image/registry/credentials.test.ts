import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrataError } from '../../core/errors.js';
import { matchKey, normalizeConfigKey, resolveCredentials, runCredentialHelper } from './credentials.js';

let root: string;
let home: string;
let bin: string;
let helperLog: string;

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A real credential helper program speaking the docker-credential-helpers protocol. */
const HELPER = `#!/bin/sh
[ "$1" = get ] || { echo "unknown command $1" >&2; exit 1; }
server=$(cat)
printf '%s\\n' "$server" >> "$HELPER_LOG"
case "$server" in
  registry.example.com) printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}\\n' "$server" ;;
  https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"<token>","Secret":"refresh-abc"}\\n' "$server" ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;

const BROKEN = `#!/bin/sh
echo "cannot talk to the keyring daemon" >&2
exit 3
`;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'strata-creds-'));
  home = path.join(root, 'home');
  bin = path.join(root, 'bin');
  helperLog = path.join(root, 'helper.log');
  mkdirSync(path.join(home, '.docker'), { recursive: true });
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'docker-credential-stratatest'), HELPER);
  writeFileSync(path.join(bin, 'docker-credential-broken'), BROKEN);
  chmodSync(path.join(bin, 'docker-credential-stratatest'), 0o755);
  chmodSync(path.join(bin, 'docker-credential-broken'), 0o755);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, HELPER_LOG: helperLog, ...extra };
}

function writeDockerConfig(config: unknown, dir = path.join(home, '.docker')): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
}

describe('config keys', () => {
  it('normalises Docker Hub aliases, schemes and API paths', () => {
    expect(normalizeConfigKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normalizeConfigKey('registry-1.docker.io')).toBe('docker.io');
    expect(normalizeConfigKey('http://Registry.Example.com:5000/v2/')).toBe('registry.example.com:5000');
    expect(normalizeConfigKey('quay.io/org/')).toBe('quay.io/org');
  });

  it('matches the most specific namespace', () => {
    const map = { 'quay.io': 'host', 'quay.io/org': 'org', 'quay.io/org/app': 'app' };
    expect(matchKey(map, 'quay.io', 'org/app')).toBe('app');
    expect(matchKey(map, 'quay.io', 'org/other')).toBe('org');
    expect(matchKey(map, 'quay.io', 'organisation/x')).toBe('host');
    expect(matchKey(map, 'ghcr.io', 'org/app')).toBeUndefined();
  });
});

describe('resolveCredentials', () => {
  it('reads base64 auths and never puts the secret in the source label', async () => {
    writeDockerConfig({ auths: { 'registry.example.com': { auth: b64('alice:pa:ss') }, 'https://index.docker.io/v1/': { auth: b64('bob:hub') } } });
    const r = await resolveCredentials('registry.example.com', 'team/app', { env: env(), homeDir: home });
    expect(r.credential).toEqual({ username: 'alice', password: 'pa:ss' });
    expect(r.source).toBe('docker config ~/.docker/config.json (auths)');
    expect(r.source).not.toContain('pa:ss');
    const hub = await resolveCredentials('docker.io', 'library/debian', { env: env(), homeDir: home });
    expect(hub.credential).toEqual({ username: 'bob', password: 'hub' });
  });

  it('reads username/password and identity tokens', async () => {
    writeDockerConfig({
      auths: { 'a.example': { username: 'u', password: 'p' }, 'b.example': { identitytoken: 'idt' }, 'c.example': { registrytoken: 'rt' } },
    });
    expect((await resolveCredentials('a.example', undefined, { env: env(), homeDir: home })).credential).toEqual({ username: 'u', password: 'p' });
    expect((await resolveCredentials('b.example', undefined, { env: env(), homeDir: home })).credential).toEqual({ identityToken: 'idt' });
    expect((await resolveCredentials('c.example', undefined, { env: env(), homeDir: home })).credential).toEqual({ registryToken: 'rt' });
  });

  it('asks credHelpers and credsStore programs, with the host on stdin', async () => {
    rmSync(helperLog, { force: true });
    writeDockerConfig({ credsStore: 'stratatest', credHelpers: { 'other.example': 'broken' }, auths: { 'registry.example.com': {} } });
    const r = await resolveCredentials('registry.example.com', 'team/app', { env: env(), homeDir: home });
    expect(r.credential).toEqual({ username: 'helper-user', password: 'helper-secret' });
    expect(r.source).toBe('docker config ~/.docker/config.json (credsStore stratatest)');
    // Docker Hub is asked for under its legacy key; a "<token>" user means an identity token
    const hub = await resolveCredentials('docker.io', 'library/debian', { env: env(), homeDir: home });
    expect(hub.credential).toEqual({ identityToken: 'refresh-abc' });
    expect(readFileSync(helperLog, 'utf8').split('\n').filter(Boolean)).toEqual(['registry.example.com', 'https://index.docker.io/v1/']);
    // not found in the store: anonymous, quietly
    const none = await resolveCredentials('nowhere.example', undefined, { env: env(), homeDir: home });
    expect(none).toEqual({ source: 'anonymous' });
  });

  it('reports a failing or missing helper in the source and falls back', async () => {
    writeDockerConfig({ credHelpers: { 'other.example': 'broken', 'gone.example': 'notinstalled' }, auths: { 'gone.example': { auth: b64('x:y') } } });
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m) };
    const broken = await resolveCredentials('other.example', undefined, { env: env(), homeDir: home, logger });
    expect(broken.credential).toBeUndefined();
    expect(broken.source).toContain('credHelpers broken: docker-credential-broken exited with status 3: cannot talk to the keyring daemon');
    const gone = await resolveCredentials('gone.example', undefined, { env: env(), homeDir: home, logger });
    expect(gone.credential).toEqual({ username: 'x', password: 'y' });
    expect(warnings.some((w) => w.includes('docker-credential-notinstalled is not on PATH'))).toBe(true);
  });

  it('gives --username and STRATA_USERNAME precedence over config files', async () => {
    writeDockerConfig({ auths: { 'registry.example.com': { auth: b64('alice:secret') } } });
    const explicit = await resolveCredentials('registry.example.com', undefined, {
      env: env({ STRATA_USERNAME: 'envuser', STRATA_PASSWORD: 'envpass' }),
      homeDir: home,
      explicit: { username: 'cli', password: 'clipass' },
    });
    expect(explicit).toEqual({ credential: { username: 'cli', password: 'clipass' }, source: '--username' });
    const fromEnv = await resolveCredentials('registry.example.com', undefined, {
      env: env({ STRATA_USERNAME: 'envuser', STRATA_PASSWORD: 'envpass' }),
      homeDir: home,
    });
    expect(fromEnv).toEqual({ credential: { username: 'envuser', password: 'envpass' }, source: 'STRATA_USERNAME/STRATA_PASSWORD' });
    await expect(resolveCredentials('registry.example.com', undefined, { env: env({ STRATA_USERNAME: 'only' }), homeDir: home })).rejects.toThrow(StrataError);
  });

  it('honours DOCKER_CONFIG and containers auth files with namespaced keys', async () => {
    rmSync(path.join(home, '.docker'), { recursive: true, force: true });
    const dockerDir = path.join(root, 'custom-docker');
    writeDockerConfig({ auths: { 'registry.example.com': { auth: b64('custom:pw') } } }, dockerDir);
    const custom = await resolveCredentials('registry.example.com', undefined, { env: env({ DOCKER_CONFIG: dockerDir }), homeDir: home });
    expect(custom.credential).toEqual({ username: 'custom', password: 'pw' });
    expect(custom.source).toBe(`docker config ${path.join(dockerDir, 'config.json')} (auths)`);

    const runtime = path.join(root, 'run');
    mkdirSync(path.join(runtime, 'containers'), { recursive: true });
    writeFileSync(
      path.join(runtime, 'containers', 'auth.json'),
      JSON.stringify({ auths: { 'quay.io/org': { auth: b64('orguser:orgpw') }, 'quay.io': { auth: b64('hostuser:hostpw') } } }),
    );
    const org = await resolveCredentials('quay.io', 'org/app', { env: env({ XDG_RUNTIME_DIR: runtime }), homeDir: home });
    expect(org.credential).toEqual({ username: 'orguser', password: 'orgpw' });
    expect(org.source).toBe(`containers auth file ${path.join(runtime, 'containers', 'auth.json')} (auths)`);
    const other = await resolveCredentials('quay.io', 'other/app', { env: env({ XDG_RUNTIME_DIR: runtime }), homeDir: home });
    expect(other.credential).toEqual({ username: 'hostuser', password: 'hostpw' });
  });

  it('ignores an unreadable config with a warning', async () => {
    mkdirSync(path.join(home, '.docker'), { recursive: true });
    writeFileSync(path.join(home, '.docker', 'config.json'), '{ not json');
    const warnings: string[] = [];
    const r = await resolveCredentials('registry.example.com', undefined, { env: env(), homeDir: home, logger: { debug() {}, info() {}, warn: (m) => warnings.push(m) } });
    expect(r).toEqual({ source: 'anonymous' });
    expect(warnings[0]).toContain('ignoring unreadable credentials file');
  });
});

describe('runCredentialHelper', () => {
  it('kills a helper that hangs', async () => {
    writeFileSync(path.join(bin, 'docker-credential-hang'), '#!/bin/sh\nexec sleep 30\n');
    chmodSync(path.join(bin, 'docker-credential-hang'), 0o755);
    const r = await runCredentialHelper('hang', 'x.example', { env: env(), timeoutMs: 300 });
    expect(r).toEqual({ found: false, problem: 'docker-credential-hang did not answer within 0.3 s' });
  });

  it('refuses helper names that are not plain names', async () => {
    expect((await runCredentialHelper('../../bin/sh', 'x')).found).toBe(false);
  });
});
