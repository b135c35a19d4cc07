/**
 * `strata sbom-scan FILE`: reads a CycloneDX (JSON 1.4–1.6) or SPDX (2.2/2.3
 * JSON or tag-value) SBOM made elsewhere into an Inventory, so it can be
 * matched like an image's.
 */
import { StrataError, toStrataError } from '../core/errors.js';
import { readRegularFile } from '../util/regular-file.js';
import { readCycloneDxJson } from './cyclonedx.js';
import { inventoryFromSbom, type SbomScan } from './inventory.js';
import { readSpdxJson, tagValueToJson } from './spdx.js';

export type { SbomScan } from './inventory.js';
export type { SbomFormat } from './document.js';

/** Largest SBOM read into memory; real ones of big images are tens of MB. */
export const MAX_SBOM_BYTES = 256 * 1024 * 1024;

/** Parses SBOM text. `origin` names it in messages and in the artifact (a path, `-` for stdin). */
export function parseSbom(text: string, origin = 'sbom'): SbomScan {
  const where = { path: origin };
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body === '') throw new StrataError('corrupt', 'the SBOM is empty', where);

  if (body.startsWith('<')) {
    throw new StrataError('unsupported', 'XML SBOMs are not supported; use the JSON form (CycloneDX JSON, SPDX JSON or tag-value)', where);
  }
  if (body.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch (e) {
      throw new StrataError('corrupt', `not valid JSON: ${e instanceof Error ? e.message : String(e)}`, where);
    }
    const obj = doc as Record<string, unknown>;
    if (obj.bomFormat === 'CycloneDX') return inventoryFromSbom(readCycloneDxJson(obj, origin), origin);
    if (typeof obj.spdxVersion === 'string') return inventoryFromSbom(readSpdxJson(obj, origin), origin);
    if ('@context' in obj && JSON.stringify(obj['@context']).includes('spdx')) {
      throw new StrataError('unsupported', 'SPDX 3 (JSON-LD) is not supported; SPDX 2.2/2.3 are', where);
    }
    throw new StrataError('unsupported', 'not a CycloneDX or SPDX document (no bomFormat "CycloneDX", no spdxVersion)', where);
  }
  if (/^SPDXVersion:/m.test(body)) return inventoryFromSbom(readSpdxJson(tagValueToJson(body), origin), origin);
  throw new StrataError('unsupported', 'not a CycloneDX or SPDX document (expected JSON, or SPDX tag-value starting with SPDXVersion:)', where);
}

/** Reads and parses an SBOM file. */
export async function readSbomFile(file: string): Promise<SbomScan> {
  try {
    return parseSbom(await readRegularFile(file, { what: 'the SBOM', limit: MAX_SBOM_BYTES }), file);
  } catch (e) {
    throw toStrataError(e, { path: file }, 'io');
  }
}
