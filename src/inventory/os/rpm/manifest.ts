/**
 * CBL-Mariner / Azure Linux distroless images have no rpmdb; they list their
 * packages in `/var/lib/rpmmanifest/container-manifest-2`, one tab-separated
 * line per package as written by `rpm -qa --qf '%{NAME}\t%{VERSION}-%{RELEASE}
 * \t%{INSTALLTIME}\t%{BUILDTIME}\t%{VENDOR}\t%{EPOCH}\t%{SIZE}\t%{ARCH}
 * \t%{EPOCHNUM}\t%{SOURCERPM}'`.
 */
import type { RpmRecord } from './header.js';

const none = (v: string | undefined) => (v === undefined || v === '' || v === '(none)' ? undefined : v);

export function parseRpmManifest(text: string, warn: (reason: string) => void): RpmRecord[] {
  const out: RpmRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    if (line.trim() === '') continue;
    const f = line.split('\t');
    const name = none(f[0]);
    const vr = none(f[1]);
    const dash = vr?.lastIndexOf('-') ?? -1;
    if (!name || !vr || dash <= 0 || f.length < 8) {
      warn(`line ${i + 1}: not a manifest entry (name, version-release, … arch, sourcerpm); skipped`);
      continue;
    }
    const record: RpmRecord = { name, version: vr.slice(0, dash), release: vr.slice(dash + 1) };
    const epoch = none(f[5]);
    if (epoch !== undefined && /^\d+$/.test(epoch)) record.epoch = Number(epoch);
    const vendor = none(f[4]);
    if (vendor) record.vendor = vendor;
    const size = none(f[6]);
    if (size !== undefined && /^\d+$/.test(size)) record.size = Number(size);
    const arch = none(f[7]);
    if (arch) record.arch = arch;
    const sourceRpm = none(f[9]);
    if (sourceRpm) record.sourceRpm = sourceRpm;
    out.push(record);
  }
  return out;
}
