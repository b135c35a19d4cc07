/** Paths of the images global-setup built (see global-setup.ts). */
import path from 'node:path';

function fromEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the tests through vitest (global-setup builds the images)`);
  return v;
}

export interface DebianTestImage {
  root: string;
  ociLayout: string;
  ociZstdLayout: string;
  dockerArchive: string;
  expected: string;
}

export function debianImage(): DebianTestImage {
  const root = fromEnv('STRATA_TEST_DEBIAN_IMAGE');
  return {
    root,
    ociLayout: path.join(root, 'oci'),
    ociZstdLayout: path.join(root, 'oci-zstd'),
    dockerArchive: path.join(root, 'image.tar'),
    expected: path.join(root, 'rootfs-expected'),
  };
}

export function rpmdbFixture(): string {
  return fromEnv('STRATA_TEST_RPMDB');
}
