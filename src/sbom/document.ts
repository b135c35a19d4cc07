/**
 * The neutral shape both SBOM readers (CycloneDX, SPDX) produce: components
 * with their package URLs, CPEs, licences and `name → values` properties,
 * plus the SBOM's own subject and operating system. src/sbom/inventory.ts
 * turns it into an Inventory.
 */

export type SbomFormat = 'cyclonedx' | 'spdx';

export interface SbomComponent {
  /** bom-ref or SPDXID: names the component in messages. */
  ref: string;
  name: string;
  /** CycloneDX `group` (Maven groupId, npm scope). */
  group?: string;
  version?: string;
  /** CycloneDX component type or SPDX primaryPackagePurpose, lower case. */
  type?: string;
  purls: string[];
  cpes: string[];
  licenses: string[];
  /** Tool properties (CycloneDX `properties`, SPDX `key: value` annotations); names may repeat. */
  props: Map<string, string[]>;
  /** Paths from CycloneDX evidence occurrences. */
  occurrences: string[];
  /** True for grouping nodes (has children) that are not packages themselves. */
  hasChildren: boolean;
}

export interface SbomDocument {
  format: SbomFormat;
  /** `1.6`, `2.3`. */
  specVersion: string;
  /** The SBOM's subject: CycloneDX metadata.component, SPDX described package. */
  subject?: SbomComponent;
  /** SPDX document name / CycloneDX subject name. */
  documentName?: string;
  /** Components describing the operating system (CycloneDX `operating-system`, SPDX OPERATING-SYSTEM). */
  operatingSystems: SbomComponent[];
  components: SbomComponent[];
  warnings: string[];
}

export function addProp(props: Map<string, string[]>, name: string, value: string): void {
  const list = props.get(name);
  if (list) list.push(value);
  else props.set(name, [value]);
}

export function firstProp(props: Map<string, string[]>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = props.get(n)?.find((x) => x !== '');
    if (v !== undefined) return v;
  }
  return undefined;
}
