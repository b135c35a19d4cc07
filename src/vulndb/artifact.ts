/**
 * The database as an OCI artifact, the way Trivy ships `trivy-db`: one
 * gzip-compressed layer holding the SQLite file, an empty config, the
 * artifact type `application/vnd.strata.db.v1`, and annotations for the
 * schema version and build time. Tags name the schema version
 * (`…/strata-db:1`), so an old Strata never pulls a database it cannot read.
 *
 * `pushDatabase` uploads it with the registry client (src/image/registry/);
 * `pullDatabase` fetches the manifest, skips the download when the local
 * database was built at the same time, streams the layer while verifying its
 * digest and size, checks the result opens as a database of this schema, and
 * renames it over the target (atomic; open readers keep the old file).
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, existsSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { StrataError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/log.js';
import { MediaTypes } from '../image/manifest.js';
import { parseReference } from '../image/reference.js';
import { RegistryClient } from '../image/registry/client.js';
import { openVulnStore } from './store/sqlite.js';
import { SCHEMA_VERSION } from './store/schema.js';
import { recordDatabaseDigest } from './integrity.js';

export const DB_ARTIFACT_TYPE = 'application/vnd.strata.db.v1';
export const DB_LAYER_MEDIA_TYPE = 'application/vnd.strata.db.layer.v1.sqlite+gzip';
export const ANNOTATION_SCHEMA = 'dev.strata.db.schema-version';
export const ANNOTATION_BUILT_AT = 'dev.strata.db.built-at';
const EMPTY_CONFIG = Buffer.from('{}');

export { DEFAULT_DB_REPOSITORY } from './paths.js';

export interface RegistryAccess {
  insecure?: boolean;
  credentials?: { username: string; password: string };
  logger?: Logger;
  signal?: AbortSignal;
}

/** `host/repo` without tag or digest gets the schema version as its tag. */
export function withDefaultTag(ref: string): string {
  const lastSlash = ref.lastIndexOf('/');
  const last = ref.slice(lastSlash + 1);
  return last.includes(':') || ref.includes('@') ? ref : `${ref}:${SCHEMA_VERSION}`;
}

function clientFor(registry: string, repository: string, access: RegistryAccess): RegistryClient {
  return new RegistryClient({
    registry,
    repository,
    ...(access.insecure ? { insecure: true } : {}),
    ...(access.credentials ? { credentials: access.credentials } : {}),
    logger: access.logger ?? silentLogger,
  });
}

export interface PushResult {
  reference: string;
  digest: string;
  size: number;
  builtAt: string;
}

export async function pushDatabase(dbPath: string, ref: string, access: RegistryAccess = {}): Promise<PushResult> {
  const logger = access.logger ?? silentLogger;
  const store = openVulnStore(dbPath);
  const meta = store.metadata();
  store.close();
  const reference = parseReference(withDefaultTag(ref));
  const tag = reference.digest ? undefined : (reference.tag ?? String(SCHEMA_VERSION));
  if (!tag) throw new StrataError('usage', `push needs a tag, not a digest: ${ref}`);

  const gz = path.join(os.tmpdir(), `strata-db-push-${process.pid}-${randomUUID()}.gz`);
  try {
    const hash = createHash('sha256');
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    await pipeline(createReadStream(dbPath), createGzip({ level: 6 }), count, createWriteStream(gz));
    const layerDigest = `sha256:${hash.digest('hex')}`;
    logger.info(`compressed ${dbPath}: ${(await stat(dbPath)).size} → ${size} bytes`);

    const client = clientFor(reference.registry, reference.repository, access);
    const signalOpt = access.signal ? { signal: access.signal } : {};
    const configDigest = `sha256:${createHash('sha256').update(EMPTY_CONFIG).digest('hex')}`;
    await client.pushBlob(reference.repository, EMPTY_CONFIG, configDigest, signalOpt);
    await client.pushBlob(reference.repository, () => createReadStream(gz), layerDigest, { size, ...signalOpt });
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      artifactType: DB_ARTIFACT_TYPE,
      config: { mediaType: MediaTypes.ociEmpty, digest: configDigest, size: EMPTY_CONFIG.length },
      layers: [{ mediaType: DB_LAYER_MEDIA_TYPE, digest: layerDigest, size, annotations: { 'org.opencontainers.image.title': 'strata.db.gz' } }],
      annotations: {
        'org.opencontainers.image.created': meta.builtAt,
        [ANNOTATION_SCHEMA]: String(meta.schemaVersion),
        [ANNOTATION_BUILT_AT]: meta.builtAt,
      },
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const pushed = await client.pushManifest(reference.repository, tag, bytes, MediaTypes.ociManifest, signalOpt);
    const name = `${reference.registry}/${reference.repository}:${tag}`;
    logger.info(`pushed ${name}@${pushed.digest}`);
    return { reference: name, digest: pushed.digest, size, builtAt: meta.builtAt };
  } finally {
    await rm(gz, { force: true });
  }
}

export interface PullResult {
  reference: string;
  manifestDigest: string;
  builtAt: string;
  /** False when the local database was already the published one. */
  updated: boolean;
}

export async function pullDatabase(ref: string, output: string, access: RegistryAccess & { force?: boolean } = {}): Promise<PullResult> {
  const logger = access.logger ?? silentLogger;
  const reference = parseReference(withDefaultTag(ref));
  const client = clientFor(reference.registry, reference.repository, access);
  const signalOpt = access.signal ? { signal: access.signal } : {};
  const name = `${reference.registry}/${reference.repository}${reference.digest ? `@${reference.digest}` : `:${reference.tag ?? SCHEMA_VERSION}`}`;
  const fetched = await client.getManifest(reference.repository, reference.digest ?? reference.tag ?? String(SCHEMA_VERSION), signalOpt);
  const doc = fetched.document;
  if (doc.kind !== 'manifest') throw new StrataError('unsupported', `${name} is not a Strata database artifact (got an ${doc.kind})`);
  const layer = doc.layers.find((l) => l.mediaType === DB_LAYER_MEDIA_TYPE);
  if (!layer || (doc.artifactType !== undefined && doc.artifactType !== DB_ARTIFACT_TYPE)) {
    throw new StrataError('unsupported', `${name} is not a Strata database artifact (artifact type ${doc.artifactType ?? doc.config.mediaType})`);
  }
  const schema = Number(doc.annotations?.[ANNOTATION_SCHEMA]);
  if (schema !== SCHEMA_VERSION) {
    throw new StrataError('database', `${name} holds database schema ${Number.isNaN(schema) ? 'unknown' : schema}; this Strata reads schema ${SCHEMA_VERSION} (pull the tag :${SCHEMA_VERSION})`);
  }
  const builtAt = doc.annotations?.[ANNOTATION_BUILT_AT] ?? '';
  const target = path.resolve(output);
  if (!access.force && existsSync(target)) {
    try {
      const current = openVulnStore(target);
      const same = current.metadata().builtAt === builtAt && builtAt !== '';
      current.close();
      if (same) {
        logger.info(`${target} is already the database ${name} (built ${builtAt})`);
        return { reference: name, manifestDigest: fetched.digest, builtAt, updated: false };
      }
    } catch {
      // unreadable local database: replace it
    }
  }
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomUUID()}.tmp`);
  try {
    const blob = await client.getBlob(reference.repository, layer.digest, { size: layer.size, ...signalOpt });
    const hash = createHash('sha256');
    let size = 0;
    const verify = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
      flush(cb) {
        const digest = `sha256:${hash.digest('hex')}`;
        if (digest !== layer.digest) cb(new StrataError('digest-mismatch', `${name}: database layer hashes to ${digest}, the manifest says ${layer.digest}`));
        else if (size !== layer.size) cb(new StrataError('digest-mismatch', `${name}: database layer is ${size} bytes, the manifest says ${layer.size}`));
        else cb();
      },
    });
    await pipeline(blob, verify, createGunzip({ chunkSize: 128 * 1024 }), createWriteStream(tmp));
    const check = openVulnStore(tmp);
    const got = check.metadata().builtAt;
    check.close();
    if (builtAt && got !== builtAt) logger.warn(`${name}: annotation says built ${builtAt}, the database says ${got}`);
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    recordDatabaseDigest(tmp, target);
    await rename(tmp, target);
    logger.info(`updated ${target} from ${name}@${fetched.digest} (built ${got})`);
    return { reference: name, manifestDigest: fetched.digest, builtAt: got, updated: true };
  } catch (e) {
    await rm(tmp, { force: true });
    if (e instanceof StrataError) throw e;
    throw new StrataError('corrupt', `${name}: cannot read the database layer: ${(e as Error).message}`, {}, { cause: e });
  }
}
