import { describe, expect, it } from 'vitest';
import { canonicalOsEcosystem, distroEcosystem, packageTypeOf } from './ecosystem.js';

describe('distroEcosystem', () => {
  it.each([
    [{ family: 'debian', version: '12' }, 'Debian:12'],
    [{ family: 'debian', version: '12.7' }, 'Debian:12'],
    [{ family: 'debian', version: 'sid' }, 'Debian:sid'],
    [{ family: 'debian', version: 'bookworm' }, 'Debian:12'],
    [{ family: 'debian', version: '6.0.10' }, 'Debian:6.0'],
    [{ family: 'debian', version: '3.1' }, 'Debian:3.1'],
    [{ family: 'debian', version: 'etch' }, 'Debian:4.0'],
    [{ family: 'ubuntu', version: '24.04' }, 'Ubuntu:24.04'],
    [{ family: 'ubuntu', version: '14.04' }, 'Ubuntu:14.04'],
    [{ family: 'alpine', version: '3.20.3' }, 'Alpine:v3.20'],
    [{ family: 'alpine', version: 'edge' }, 'Alpine:edge'],
    [{ family: 'wolfi', version: '20230201' }, 'Wolfi'],
    [{ family: 'chainguard', version: '20230214' }, 'Chainguard'],
    [{ family: 'rhel', version: '9.4' }, 'Red Hat:enterprise_linux:9'],
    [{ family: 'centos', version: '7' }, 'CentOS:7'],
    [{ family: 'rocky', version: '9.3' }, 'Rocky Linux:9'],
    [{ family: 'almalinux', version: '8.10' }, 'AlmaLinux:8'],
    [{ family: 'fedora', version: '40' }, 'Fedora:40'],
    [{ family: 'amzn', version: '2' }, 'Amazon Linux:2'],
    [{ family: 'amzn', version: '2023' }, 'Amazon Linux:2023'],
    [{ family: 'amzn', version: '2023.10.20251101' }, 'Amazon Linux:2023'],
    [{ family: 'amzn', version: '2018.03' }, 'Amazon Linux:1'],
    [{ family: 'ol', version: '8.9' }, 'Oracle Linux:8'],
    [{ family: 'opensuse-leap', version: '15.5', prettyName: 'openSUSE Leap 15.5' }, 'openSUSE:Leap 15.5'],
    [{ family: 'opensuse-leap', version: '15.6' }, 'openSUSE:Leap 15.6'],
    [{ family: 'opensuse-tumbleweed', version: '20240801', prettyName: 'openSUSE Tumbleweed' }, 'openSUSE:Tumbleweed'],
    [{ family: 'sles', version: '15.5', prettyName: 'SUSE Linux Enterprise Server 15 SP5' }, 'SUSE:Linux Enterprise Server 15 SP5'],
    [{ family: 'sles', version: '15.3' }, 'SUSE:Linux Enterprise Server 15 SP3'],
    [{ family: 'sles', version: '12' }, 'SUSE:Linux Enterprise Server 12'],
    [{ family: 'photon', version: '5.0' }, 'Photon OS:5.0'],
    [{ family: 'mariner', version: '2.0' }, 'Mariner:2.0'],
    [{ family: 'azurelinux', version: '3.0' }, 'Azure Linux:3.0'],
    [{ family: 'linuxmint', version: '21.2' }, 'linuxmint:21.2'],
  ])('%j → %s', (id, expected) => {
    expect(distroEcosystem(id)).toBe(expected);
  });

  it('knows each family’s package manager', () => {
    expect(packageTypeOf('ubuntu')).toBe('deb');
    expect(packageTypeOf('wolfi')).toBe('apk');
    expect(packageTypeOf('opensuse-leap')).toBe('rpm');
    expect(packageTypeOf('gentoo')).toBeUndefined();
  });
});

describe('canonicalOsEcosystem (feed names → detected names)', () => {
  it.each([
    ['Ubuntu:22.04:LTS', 'Ubuntu:22.04'],
    ['Ubuntu:23.10', 'Ubuntu:23.10'],
    ['Ubuntu:Pro:18.04:LTS', 'Ubuntu:Pro:18.04'],
    ['Red Hat:enterprise_linux:9::appstream', 'Red Hat:enterprise_linux:9'],
    ['Red Hat:enterprise_linux:8::baseos', 'Red Hat:enterprise_linux:8'],
    ['Red Hat:rhel_eus:9.2::baseos', 'Red Hat:rhel_eus:9.2::baseos'],
    ['Debian:bookworm', 'Debian:12'],
    ['Debian:12', 'Debian:12'],
    ['Debian:sid', 'Debian:sid'],
    ['Debian:unstable', 'Debian:sid'],
    ['Debian:5.0', 'Debian:5.0'],
    ['AlmaLinux:9.3', 'AlmaLinux:9'],
    ['Rocky Linux:8', 'Rocky Linux:8'],
    ['Alpine:v3.20', 'Alpine:v3.20'],
    ['Alpine:v3.20.1', 'Alpine:v3.20'],
    ['openSUSE:Leap 15.5', 'openSUSE:Leap 15.5'],
    ['npm', 'npm'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalOsEcosystem(input)).toBe(expected);
  });

  it('round-trips every detected name', () => {
    for (const id of [
      { family: 'debian', version: '11' },
      { family: 'ubuntu', version: '22.04' },
      { family: 'alpine', version: '3.19.1' },
      { family: 'rhel', version: '8.9' },
      { family: 'rocky', version: '9.4' },
      { family: 'sles', version: '15.5', prettyName: 'SUSE Linux Enterprise Server 15 SP5' },
    ]) {
      const e = distroEcosystem(id);
      expect(canonicalOsEcosystem(e)).toBe(e);
    }
  });
});
