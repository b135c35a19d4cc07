/**
 * `openImage`: one entry point for every image input. An existing directory
 * holding `oci-layout` is an OCI image layout (`DIR:NAME` chooses a ref
 * name); an existing file is a docker-archive or an OCI archive, told apart
 * by its content (`FILE:TAG` chooses an image); anything else is a registry
 * reference.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { StrataError } from '../core/errors.js';
import { checkRegularFileSync } from '../util/regular-file.js';
import type { Image } from '../core/image.js';
import { silentLogger } from '../core/log.js';
import { dockerArchiveFromStore } from './docker-archive.js';
import { pathKind, TarStore } from './local-store.js';
import { ociImageFromStore, openOciLayout, type LocalImageOptions } from './oci-layout.js';
import { parseReference } from './reference.js';
import { openRegistryImage, type RegistryImageOptions } from './registry/image.js';

export interface OpenImageOptions extends RegistryImageOptions {
  /**
   * `local`: only a file or directory (`--input`); `registry`: only a
   * reference; `auto` (default): a path when one exists, else a reference.
   */
  from?: 'auto' | 'local' | 'registry';
}

interface LocalInput {
  path: string;
  select?: string;
  kind: 'dir' | 'file';
}

/** Splits `PATH[:SELECTOR]` where PATH exists (the whole input wins over a split). */
async function findLocal(input: string): Promise<LocalInput | undefined> {
  const whole = await pathKind(input);
  if (whole === 'dir' || whole === 'file') return { path: input, kind: whole };
  for (let i = input.indexOf(':'); i > 0; i = input.indexOf(':', i + 1)) {
    const candidate = input.slice(0, i);
    const kind = await pathKind(candidate);
    if (kind === 'dir' || kind === 'file') return { path: candidate, select: input.slice(i + 1), kind };
  }
  return undefined;
}

function looksLikePath(input: string): boolean {
  return /^(\/|\.{1,2}\/|~)/.test(input) || /\.(tar|tar\.gz|tgz)$/.test(input);
}

/** A docker-archive or OCI archive, chosen by what the tar contains. */
export async function openImageArchive(file: string, options: LocalImageOptions = {}): Promise<Image> {
  const name = options.name ?? (options.select ? `${file}:${options.select}` : file);
  const store = await TarStore.create(file, { image: name }, options.logger ?? silentLogger);
  if (await store.has('manifest.json')) return dockerArchiveFromStore(store, { ...options, name });
  if (await store.has('oci-layout')) return ociImageFromStore(store, 'oci-archive', { ...options, name });
  await store.close();
  throw new StrataError('unsupported', `${file} is a tar archive but neither a docker-archive (no manifest.json) nor an OCI archive (no oci-layout)`, {
    image: name,
  });
}

export async function openImage(input: string, options: OpenImageOptions = {}): Promise<Image> {
  const from = options.from ?? 'auto';
  if (from !== 'registry') {
    const local = await findLocal(input);
    if (local) {
      const localOptions: LocalImageOptions = {
        ...(local.select !== undefined ? { select: local.select } : {}),
        ...(options.platform !== undefined ? { platform: options.platform } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        name: input,
      };
      if (local.kind === 'file') return openImageArchive(local.path, localOptions);
      if (existsSync(path.join(local.path, 'oci-layout'))) return openOciLayout(local.path, localOptions);
      let isReference = false;
      try {
        parseReference(input);
        isReference = !looksLikePath(input);
      } catch {
        isReference = false;
      }
      if (from === 'local' || !isReference) {
        throw new StrataError(
          'usage',
          `${local.path} is a directory but not an OCI image layout (no oci-layout file); for an unpacked root filesystem use \`strata rootfs ${local.path}\``,
          { image: input },
        );
      }
    } else if (from === 'local' || looksLikePath(input)) {
      // A FIFO, a device or a dangling symlink: say which instead of "no such file".
      if ((await pathKind(input)) === 'other') checkRegularFileSync(input, { what: 'image input', where: { image: input } });
      throw new StrataError('not-found', `no such file or directory: ${input}`, { image: input });
    }
  }
  return openRegistryImage(input, options);
}
