/**
 * Image references, parsed and normalised the way Docker and containerd do it
 * (the grammar of github.com/distribution/reference):
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component [ "/" path-component ]*
 *   domain    := host [ ":" port ]        host: DNS name or "[" IPv6 "]"
 *
 * The first path segment is a registry host only when it contains "." or ":",
 * is "localhost", or has upper-case letters (paths cannot); otherwise the
 * image lives on Docker Hub (`docker.io`, official images under `library/`).
 */
import { StrataError } from '../core/errors.js';
import { parseDigest } from './digest.js';

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's registry API is served. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const LEGACY_DOCKER_HUB = 'index.docker.io';
const DEFAULT_TAG = 'latest';
const MAX_NAME_LENGTH = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN_RE = new RegExp(`^${HOST}(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

export interface ImageReference {
  /** Registry as written in references: `docker.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** Repository path inside the registry: `library/debian`, `test/debian`. */
  readonly repository: string;
  /** Tag; `latest` when the reference named neither a tag nor a digest. */
  readonly tag?: string;
  /** Manifest digest (`sha256:…`); when set it decides what is pulled. */
  readonly digest?: string;
  /** host[:port] the registry HTTP API is served on (`registry-1.docker.io` for Docker Hub). */
  readonly apiHost: string;
  /** The normalised reference: `docker.io/library/debian:12`, `…@sha256:…`. */
  readonly name: string;
}

function bad(input: string, why: string): StrataError {
  return new StrataError('usage', `invalid image reference "${input}": ${why}`);
}

/** Parses `debian:12`, `127.0.0.1:5000/test/debian:12`, `host/app@sha256:…` into a normalised reference. */
export function parseReference(input: string): ImageReference {
  const s = input.trim();
  if (s === '') throw bad(input, 'empty');
  if (IDENTIFIER_RE.test(s)) throw bad(input, 'a 64-character hexadecimal string is an image ID, not a reference');
  if (/\s/.test(s)) throw bad(input, 'contains white space');
  if (s.includes('://')) throw bad(input, 'a reference has no URL scheme (write host/repository:tag)');

  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const d = rest.slice(at + 1);
    rest = rest.slice(0, at);
    try {
      digest = parseDigest(d).digest;
    } catch (e) {
      throw bad(input, e instanceof StrataError ? e.detail : `bad digest "${d}"`);
    }
  }

  // A ":" after the last "/" starts the tag; earlier ones belong to host:port.
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon !== -1) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw bad(input, `bad tag "${tag}" (letters, digits, "_", "." and "-", at most 128, not starting with "." or "-")`);
  }

  const { registry, repository } = splitDomain(input, rest);
  if (!tag && !digest) tag = DEFAULT_TAG;
  const nameOnly = `${registry}/${repository}`;
  const name = nameOnly + (tag ? `:${tag}` : '') + (digest ? `@${digest}` : '');
  return {
    registry,
    repository,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
    apiHost: registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry,
    name,
  };
}

function splitDomain(input: string, name: string): { registry: string; repository: string } {
  if (name === '') throw bad(input, 'no repository name');
  const slash = name.indexOf('/');
  let registry = DOCKER_HUB;
  let repository = name;
  if (slash !== -1) {
    const first = name.slice(0, slash);
    if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
      registry = first;
      repository = name.slice(slash + 1);
    }
  }
  if (registry === LEGACY_DOCKER_HUB) registry = DOCKER_HUB;
  if (!DOMAIN_RE.test(registry)) throw bad(input, `bad registry host "${registry}"`);
  if (repository === '') throw bad(input, 'no repository name');
  if (repository.toLowerCase() !== repository) throw bad(input, `repository name "${repository}" must be lowercase`);
  for (const part of repository.split('/')) {
    if (!PATH_COMPONENT_RE.test(part)) {
      throw bad(input, `bad repository path component "${part}" (lowercase letters and digits, separated by ".", "_", "__" or "-")`);
    }
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) {
    throw bad(input, `name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  return { registry, repository };
}

/** What to ask the registry's manifest endpoint for: the digest when there is one, else the tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? DEFAULT_TAG;
}

/** `registry/repository` without tag or digest. */
export function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/**
 * Whether two references name the same image, as far as both say: a
 * RepoTag `docker.io/test/debian:12` matches `test/debian:12`, `test/debian`
 * matches `…:latest`. Unparseable strings compare literally.
 */
export function sameReference(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return parseReference(a).name === parseReference(b).name;
  } catch {
    return false;
  }
}
