/**
 * Where registry credentials come from, in order of precedence:
 *   1. explicit options (`--username/--password`),
 *   2. STRATA_USERNAME / STRATA_PASSWORD,
 *   3. Docker's config (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`):
 *      `credHelpers[host]`, else `credsStore`, via `docker-credential-NAME get`
 *      (server URL on stdin, `{"Username","Secret"}` JSON on stdout), else `auths`
 *      (base64 `auth`, `username`/`password`, `identitytoken`, `registrytoken`),
 *   4. podman/containers auth files (`$REGISTRY_AUTH_FILE`,
 *      `$XDG_RUNTIME_DIR/containers/auth.json`, `~/.config/containers/auth.json`),
 *      whose keys may name a repository namespace (`quay.io/org`),
 *   5. anonymous.
 * Every result carries a `source` label for error messages; secrets are never
 * part of a label or a log line. No npm library reads these files, hence this module.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StrataError } from '../../core/errors.js';
import { checkRegularFileSync } from '../../util/regular-file.js';
import { silentLogger, type Logger } from '../../core/log.js';
import { DOCKER_HUB } from '../reference.js';

export interface Credential {
  /** Basic credentials (also sent to a token service). */
  username?: string;
  password?: string;
  /** OAuth2 refresh token (`identitytoken`, or a helper's `<token>` user) for the token service. */
  identityToken?: string;
  /** A ready bearer token for the registry itself (`registrytoken`). */
  registryToken?: string;
}

export interface ResolvedCredential {
  credential?: Credential;
  /** Where the credential came from, for messages: `--username`, `docker config ~/.docker/config.json (credsStore desktop)`, `anonymous`. */
  source: string;
}

export interface CredentialOptions {
  /** From the command line; `source` defaults to `--username`. */
  explicit?: { username: string; password: string; source?: string };
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  logger?: Logger;
  /** A credential helper that does not answer within this time is killed (default 30 s). */
  helperTimeoutMs?: number;
}

/** The key Docker uses for Docker Hub in config files and credential helpers. */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** `https://index.docker.io/v1/` → `docker.io`; `http://host:5000/v2/` → `host:5000`; keeps a repository path (`quay.io/org`). */
export function normalizeConfigKey(key: string): string {
  let k = key.trim().replace(/^[a-z]+:\/\//i, '');
  k = k.replace(/\/+$/, '');
  const slash = k.indexOf('/');
  let host = slash === -1 ? k : k.slice(0, slash);
  let rest = slash === -1 ? '' : k.slice(slash + 1);
  if (/^v[12]$/.test(rest)) rest = '';
  host = host.toLowerCase();
  if (DOCKER_HUB_ALIASES.has(host)) host = DOCKER_HUB;
  return rest ? `${host}/${rest}` : host;
}

function normalizeRegistry(registry: string): string {
  return normalizeConfigKey(registry);
}

/** `~/x` for paths under the home directory, so messages stay short and do not reveal the user name needlessly. */
function displayPath(file: string, home: string): string {
  return home && file.startsWith(home + path.sep) ? `~${file.slice(home.length)}` : file;
}

type AuthEntry = Record<string, unknown>;

interface AuthFile {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

function readAuthFile(file: string, logger: Logger): AuthFile | undefined {
  if (!existsSync(file)) return undefined;
  try {
    checkRegularFileSync(file, { what: 'credentials file' });
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not a JSON object');
    return json;
  } catch (e) {
    logger.warn(`ignoring unreadable credentials file ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

/**
 * The entry of `map` for this registry/repository: the longest key that is
 * the registry itself or a namespace prefix of `registry/repository`.
 */
export function matchKey<T>(map: Record<string, T> | undefined, registry: string, repository?: string): T | undefined {
  if (!map || typeof map !== 'object') return undefined;
  const host = normalizeRegistry(registry);
  const full = repository ? `${host}/${repository}` : host;
  let best: T | undefined;
  let bestLength = -1;
  for (const [key, value] of Object.entries(map)) {
    const k = normalizeConfigKey(key);
    const matches = k === host || k === full || (k.startsWith(`${host}/`) && full.startsWith(`${k}/`));
    if (matches && k.length > bestLength) {
      best = value;
      bestLength = k.length;
    }
  }
  return best;
}

function credentialFromEntry(entry: AuthEntry): Credential | undefined {
  const c: Credential = {};
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      c.username = decoded.slice(0, colon);
      c.password = decoded.slice(colon + 1);
    }
  }
  if (!c.username && typeof entry.username === 'string' && typeof entry.password === 'string' && entry.username !== '') {
    c.username = entry.username;
    c.password = entry.password;
  }
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') c.identityToken = entry.identitytoken;
  if (typeof entry.registrytoken === 'string' && entry.registrytoken !== '') c.registryToken = entry.registrytoken;
  return c.username || c.identityToken || c.registryToken ? c : undefined;
}

/** The server URL a credential helper is asked about: Docker Hub's legacy key, else the host. */
export function helperServerUrl(registry: string): string {
  const host = normalizeRegistry(registry);
  return host === DOCKER_HUB ? DOCKER_HUB_CONFIG_KEY : host;
}

export type HelperResult = { found: true; credential: Credential } | { found: false; problem?: string };

/** Runs `docker-credential-NAME get` with the server URL on stdin. */
export function runCredentialHelper(name: string, serverUrl: string, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<HelperResult> {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return Promise.resolve({ found: false, problem: `invalid credential helper name "${name}"` });
  const program = `docker-credential-${name}`;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const finish = (r: HelperResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const child = spawn(program, ['get'], { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const timeoutMs = options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ found: false, problem: `${program} did not answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (stdout.length < 1 << 20) stdout += d;
    });
    child.stderr.on('data', (d: string) => {
      if (stderr.length < 1 << 16) stderr += d;
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish({ found: false, problem: e.code === 'ENOENT' ? `${program} is not on PATH` : `${program}: ${e.message}` });
    });
    child.stdin.on('error', () => {
      // The helper may exit before reading stdin; its exit status tells the story.
    });
    child.on('close', (code) => {
      if (code !== 0) {
        const said = (stdout + stderr).trim();
        if (/credentials not found/i.test(said)) finish({ found: false });
        else finish({ found: false, problem: `${program} exited with status ${code}${said ? `: ${said.split('\n')[0]}` : ''}` });
        return;
      }
      try {
        const json = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
        const username = typeof json.Username === 'string' ? json.Username : '';
        const secret = typeof json.Secret === 'string' ? json.Secret : '';
        if (!secret) finish({ found: false });
        else if (username === '<token>') finish({ found: true, credential: { identityToken: secret } });
        else finish({ found: true, credential: { username, password: secret } });
      } catch {
        finish({ found: false, problem: `${program} printed something that is not JSON` });
      }
    });
    child.stdin.end(serverUrl);
  });
}

function authFileCandidates(env: NodeJS.ProcessEnv, home: string): Array<{ file: string; kind: 'docker' | 'containers' }> {
  const out: Array<{ file: string; kind: 'docker' | 'containers' }> = [];
  const dockerDir = env.DOCKER_CONFIG || path.join(home, '.docker');
  out.push({ file: path.join(dockerDir, 'config.json'), kind: 'docker' });
  if (env.REGISTRY_AUTH_FILE) out.push({ file: env.REGISTRY_AUTH_FILE, kind: 'containers' });
  if (env.XDG_RUNTIME_DIR) out.push({ file: path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'), kind: 'containers' });
  out.push({ file: path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'containers', 'auth.json'), kind: 'containers' });
  return out;
}

/** Finds the credential for `registry` (and optionally the repository, for namespaced auth.json keys). */
export async function resolveCredentials(registry: string, repository: string | undefined, options: CredentialOptions = {}): Promise<ResolvedCredential> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? silentLogger;
  const home = options.homeDir ?? os.homedir();

  if (options.explicit) {
    const { username, password, source } = options.explicit;
    return { credential: { username, password }, source: source ?? '--username' };
  }
  const envUser = env.STRATA_USERNAME;
  const envPass = env.STRATA_PASSWORD;
  if (envUser || envPass) {
    if (!envUser || envPass === undefined) {
      throw new StrataError('usage', 'STRATA_USERNAME and STRATA_PASSWORD must be set together');
    }
    return { credential: { username: envUser, password: envPass }, source: 'STRATA_USERNAME/STRATA_PASSWORD' };
  }

  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { file, kind } of authFileCandidates(env, home)) {
    const resolved = path.resolve(file);
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    const config = readAuthFile(resolved, logger);
    if (!config) continue;
    const label = `${kind === 'docker' ? 'docker config' : 'containers auth file'} ${displayPath(resolved, home)}`;
    const helper = matchKey(config.credHelpers, registry, repository) ?? (typeof config.credsStore === 'string' && config.credsStore ? config.credsStore : undefined);
    if (typeof helper === 'string' && helper) {
      const how = matchKey(config.credHelpers, registry, repository) ? 'credHelpers' : 'credsStore';
      const result = await runCredentialHelper(helper, helperServerUrl(registry), {
        env,
        ...(options.helperTimeoutMs ? { timeoutMs: options.helperTimeoutMs } : {}),
      });
      if (result.found) {
        logger.debug(`credentials for ${registry} from ${label} (${how} ${helper})`);
        return { credential: result.credential, source: `${label} (${how} ${helper})` };
      }
      if (result.problem) {
        logger.warn(`credential helper for ${registry} failed: ${result.problem}`);
        problems.push(`${label} (${how} ${helper}: ${result.problem})`);
      }
    }
    const entry = matchKey(config.auths, registry, repository);
    const credential = entry && typeof entry === 'object' ? credentialFromEntry(entry) : undefined;
    if (credential) {
      logger.debug(`credentials for ${registry} from ${label} (auths)`);
      return { credential, source: `${label} (auths)` };
    }
  }
  return { source: problems.length ? `anonymous (after ${problems.join('; ')})` : 'anonymous' };
}
