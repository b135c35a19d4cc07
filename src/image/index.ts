/**
 * The acquire stage's public surface: turn an image input into an `Image`
 * (src/core/image.ts) whose layers stream their raw blob bytes.
 */
export { openImage, openImageArchive, type OpenImageOptions } from './open.js';
export { openRegistryImage, type RegistryImageOptions } from './registry/image.js';
export { RegistryClient, type BlobData, type FetchedManifest, type RegistryClientOptions, type RequestOptions } from './registry/client.js';
export { resolveCredentials, type Credential, type ResolvedCredential } from './registry/credentials.js';
export { openDockerArchive } from './docker-archive.js';
export { openOciArchive, openOciLayout, type LocalImageOptions } from './oci-layout.js';
export { openRootfs, type RootfsOptions } from './rootfs.js';
export { parseReference, manifestReference, sameReference, type ImageReference } from './reference.js';
export {
  MediaTypes,
  MANIFEST_ACCEPT,
  parseManifest,
  parseImageConfig,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type ManifestDocument,
} from './manifest.js';
export { formatPlatform, hostPlatform, parsePlatform, selectPlatform } from './platform.js';
export { digestOf, parseDigest, verifyDigest } from './digest.js';
