/**
 * What the match stage hands to reports: one finding per (package,
 * vulnerability), with the evidence that produced it.
 */
import type { EpssScore, KevEntry, SeverityLevel, VulnStatus } from './advisory.js';

export interface CvssScore {
  source: string;
  version: '2.0' | '3.0' | '3.1' | '4.0';
  vector: string;
  score?: number;
}

export interface Explanation {
  /** How the package was looked up: by its source package (distros), its own name, or a CPE. */
  matchedBy: 'source-package' | 'package' | 'cpe';
  /** Name and version that were looked up and compared. */
  lookupName: string;
  comparedVersion: string;
  scheme: string;
  /** Every advisory record that contributed, with its source. */
  advisories: Array<{ id: string; source: string; ecosystem: string }>;
  /** The deciding rule in words: `installed 3.0.8-1 < fixed 3.0.9-1 (DSA-5417-1)`, `<no-dsa> (Minor issue)`. */
  rule: string;
  introduced?: string;
  fixed?: string;
  lastAffected?: string;
  /** The distro tracker's state when that decided it: `<unfixed>`, `<no-dsa>`, `<postponed>`. */
  trackerState?: string;
}

export interface Finding {
  /** The vulnerability: the CVE when one is known, else the advisory id. */
  id: string;
  aliases: string[];
  package: {
    name: string;
    version: string;
    ecosystem: string;
    purl: string;
    source?: { name: string; version: string };
    paths: string[];
  };
  /** The version that was compared (for distro packages, the source version). */
  installedVersion: string;
  fixedVersion?: string;
  status: VulnStatus;
  severity: SeverityLevel;
  /** Where the severity came from: `debian`, `nvd`, `ghsa`, … */
  severitySource: string;
  cvss: CvssScore[];
  kev?: KevEntry;
  epss?: EpssScore;
  layer?: { diffId: string; digest?: string; createdBy?: string };
  title?: string;
  description?: string;
  references?: string[];
  published?: string;
  explanation: Explanation;
}

/** A finding that a filter, ignore rule or VEX statement removed, and which one. */
export interface Suppressed {
  finding: Finding;
  by: 'ignore-file' | 'vex' | 'severity' | 'status' | 'unfixed';
  reason: string;
  statement?: string;
  /**
   * For `by: 'vex'`: the statement's status and justification as published
   * (OpenVEX or CycloneDX words), so SBOM reports can carry the analysis.
   */
  vex?: { status: 'not_affected' | 'fixed'; justification?: string };
}
