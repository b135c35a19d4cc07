import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Distro } from '../../core/package.js';
import { sharedData } from '../../../test/support/paths.js';
import { inventoryFromFiles } from '../from-files.js';
import { inventoryFromLayers } from '../from-files.js';
import { distroScanner } from './scanner.js';

async function detect(files: Record<string, string>): Promise<Distro | undefined> {
  const inv = await inventoryFromFiles(
    [distroScanner],
    Object.entries(files).map(([path, content]) => ({ path, content })),
  );
  return inv.distro;
}

// Release files as the distributions ship them (trimmed of URL lines where noted).
const OS_RELEASE = {
  debian12: `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`,
  debianTrixieSid: `PRETTY_NAME="Debian GNU/Linux trixie/sid"
NAME="Debian GNU/Linux"
VERSION_CODENAME=trixie
ID=debian
HOME_URL="https://www.debian.org/"
`,
  distroless: `PRETTY_NAME="Distroless"
NAME="Debian GNU/Linux"
ID="debian"
VERSION_ID="12"
VERSION="Debian GNU/Linux 12 (bookworm)"
HOME_URL="https://github.com/GoogleContainerTools/distroless"
SUPPORT_URL="https://github.com/GoogleContainerTools/distroless/blob/master/README.md"
BUG_REPORT_URL="https://github.com/GoogleContainerTools/distroless/issues/new"
`,
  ubuntu2404: `PRETTY_NAME="Ubuntu 24.04.1 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04.1 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
UBUNTU_CODENAME=noble
LOGO=ubuntu-logo
`,
  alpine320: `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.20.3
PRETTY_NAME="Alpine Linux v3.20"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`,
  alpineEdge: `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.21.0_alpha20240807
PRETTY_NAME="Alpine Linux edge"
HOME_URL="https://alpinelinux.org/"
`,
  wolfi: `ID=wolfi
NAME="Wolfi"
PRETTY_NAME="Wolfi"
VERSION_ID="20230201"
HOME_URL="https://wolfi.dev"
`,
  chainguard: `ID=chainguard
NAME="Chainguard"
PRETTY_NAME="Chainguard"
VERSION_ID="20230214"
HOME_URL="https://chainguard.dev/"
`,
  ubi9: `NAME="Red Hat Enterprise Linux"
VERSION="9.4 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Red Hat Enterprise Linux 9.4 (Plow)"
ANSI_COLOR="0;31"
LOGO="fedora-logo-icon"
CPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"
`,
  rocky9: `NAME="Rocky Linux"
VERSION="9.3 (Blue Onyx)"
ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.3"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"
`,
  alma8: `NAME="AlmaLinux"
VERSION="8.10 (Cerulean Leopard)"
ID="almalinux"
ID_LIKE="rhel centos fedora"
VERSION_ID="8.10"
PLATFORM_ID="platform:el8"
PRETTY_NAME="AlmaLinux 8.10 (Cerulean Leopard)"
`,
  fedora40: `NAME="Fedora Linux"
VERSION="40 (Container Image)"
ID=fedora
VERSION_ID=40
VERSION_CODENAME=""
PLATFORM_ID="platform:f40"
PRETTY_NAME="Fedora Linux 40 (Container Image)"
VARIANT="Container Image"
VARIANT_ID=container
`,
  amzn2023: `NAME="Amazon Linux"
VERSION="2023"
ID="amzn"
ID_LIKE="fedora"
VERSION_ID="2023"
PLATFORM_ID="platform:al2023"
PRETTY_NAME="Amazon Linux 2023.5.20240722"
`,
  amzn2: `NAME="Amazon Linux"
VERSION="2"
ID="amzn"
ID_LIKE="centos rhel fedora"
VERSION_ID="2"
PRETTY_NAME="Amazon Linux 2"
CPE_NAME="cpe:2.3:o:amazon:amazon_linux:2"
`,
  oracle9: `NAME="Oracle Linux Server"
VERSION="9.4"
ID="ol"
ID_LIKE="fedora"
VARIANT="Server"
VARIANT_ID="server"
VERSION_ID="9.4"
PLATFORM_ID="platform:el9"
PRETTY_NAME="Oracle Linux Server 9.4"
`,
  leap155: `NAME="openSUSE Leap"
VERSION="15.5"
ID="opensuse-leap"
ID_LIKE="suse opensuse"
VERSION_ID="15.5"
PRETTY_NAME="openSUSE Leap 15.5"
CPE_NAME="cpe:/o:opensuse:leap:15.5"
`,
  tumbleweed: `NAME="openSUSE Tumbleweed"
# VERSION="20240801"
ID="opensuse-tumbleweed"
ID_LIKE="opensuse suse"
VERSION_ID="20240801"
PRETTY_NAME="openSUSE Tumbleweed"
`,
  sles15: `NAME="SLES"
VERSION="15-SP3"
VERSION_ID="15.3"
PRETTY_NAME="SUSE Linux Enterprise Server 15 SP3"
ID="sles"
ID_LIKE="suse"
ANSI_COLOR="0;32"
CPE_NAME="cpe:/o:suse:sles:15:sp3"
`,
  photon5: `NAME="VMware Photon OS"
VERSION="5.0"
ID=photon
VERSION_ID=5.0
PRETTY_NAME="VMware Photon OS/Linux"
ANSI_COLOR="1;34"
HOME_URL="https://vmware.github.io/photon/"
`,
  mariner2: `NAME="Common Base Linux Mariner"
VERSION="2.0.20240609"
ID=mariner
VERSION_ID="2.0"
PRETTY_NAME="CBL-Mariner/Linux"
ANSI_COLOR="1;34"
HOME_URL="https://aka.ms/cbl-mariner"
`,
  azure3: `NAME="Microsoft Azure Linux"
VERSION="3.0.20240727"
ID=azurelinux
VERSION_ID="3.0"
PRETTY_NAME="Microsoft Azure Linux 3.0"
ANSI_COLOR="1;34"
HOME_URL="https://aka.ms/azurelinux"
`,
};

describe('distro scanner: os-release', () => {
  it.each([
    ['debian12', { family: 'debian', version: '12', ecosystem: 'Debian:12', codename: 'bookworm', name: 'Debian GNU/Linux 12 (bookworm)' }],
    ['ubuntu2404', { family: 'ubuntu', version: '24.04', ecosystem: 'Ubuntu:24.04', codename: 'noble' }],
    ['alpine320', { family: 'alpine', version: '3.20.3', ecosystem: 'Alpine:v3.20' }],
    ['alpineEdge', { family: 'alpine', version: 'edge', ecosystem: 'Alpine:edge' }],
    ['wolfi', { family: 'wolfi', ecosystem: 'Wolfi' }],
    ['chainguard', { family: 'chainguard', ecosystem: 'Chainguard' }],
    ['ubi9', { family: 'rhel', version: '9.4', ecosystem: 'Red Hat:enterprise_linux:9' }],
    ['rocky9', { family: 'rocky', version: '9.3', ecosystem: 'Rocky Linux:9' }],
    ['alma8', { family: 'almalinux', version: '8.10', ecosystem: 'AlmaLinux:8' }],
    ['fedora40', { family: 'fedora', version: '40', ecosystem: 'Fedora:40' }],
    ['amzn2023', { family: 'amzn', version: '2023', ecosystem: 'Amazon Linux:2023' }],
    ['amzn2', { family: 'amzn', version: '2', ecosystem: 'Amazon Linux:2' }],
    ['oracle9', { family: 'ol', version: '9.4', ecosystem: 'Oracle Linux:9' }],
    ['leap155', { family: 'opensuse-leap', version: '15.5', ecosystem: 'openSUSE:Leap 15.5' }],
    ['tumbleweed', { family: 'opensuse-tumbleweed', ecosystem: 'openSUSE:Tumbleweed' }],
    ['sles15', { family: 'sles', version: '15.3', ecosystem: 'SUSE:Linux Enterprise Server 15 SP3' }],
    ['photon5', { family: 'photon', version: '5.0', ecosystem: 'Photon OS:5.0' }],
    ['mariner2', { family: 'mariner', version: '2.0', ecosystem: 'Mariner:2.0' }],
    ['azure3', { family: 'azurelinux', version: '3.0', ecosystem: 'Azure Linux:3.0' }],
  ] as const)('%s', async (key, expected) => {
    const distro = await detect({ 'etc/os-release': OS_RELEASE[key] });
    expect(distro).toMatchObject({ ...expected, evidence: 'etc/os-release' });
    expect(distro?.variant).toBeUndefined();
  });

  it('marks Google distroless, keeping Debian as the family and feed', async () => {
    const distro = await detect({ 'usr/lib/os-release': OS_RELEASE.distroless });
    expect(distro).toMatchObject({ family: 'debian', version: '12', ecosystem: 'Debian:12', variant: 'distroless', name: 'Distroless' });
  });

  it('Debian testing/unstable (no VERSION_ID) is Debian:sid, with the codename kept', async () => {
    const distro = await detect({ 'etc/os-release': OS_RELEASE.debianTrixieSid, 'etc/debian_version': 'trixie/sid\n' });
    expect(distro).toMatchObject({ family: 'debian', version: 'sid', ecosystem: 'Debian:sid', codename: 'trixie' });
  });

  it('Alpine edge from /etc/apk/repositories when os-release does not say', async () => {
    const osRelease = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.21.0\nPRETTY_NAME="Alpine Linux v3.21"\n';
    const edge = 'https://dl-cdn.alpinelinux.org/alpine/edge/main\nhttps://dl-cdn.alpinelinux.org/alpine/edge/community\n';
    expect((await detect({ 'etc/os-release': osRelease, 'etc/apk/repositories': edge }))?.ecosystem).toBe('Alpine:edge');
    const branch = 'https://dl-cdn.alpinelinux.org/alpine/v3.21/main\n';
    expect((await detect({ 'etc/os-release': osRelease, 'etc/apk/repositories': branch }))?.ecosystem).toBe('Alpine:v3.21');
  });

  it('reads Debian’s real os-release from the shared fixtures', async () => {
    const content = readFileSync(sharedData('fixtures/syft/debian/testdata/image-dpkg/etc/os-release'), 'utf8');
    expect(await detect({ 'etc/os-release': content })).toMatchObject({ ecosystem: 'Debian:12', codename: 'bookworm' });
  });

  it('prefers etc/os-release over usr/lib/os-release and ignores an Ubuntu debian_version', async () => {
    const distro = await detect({
      'etc/os-release': OS_RELEASE.ubuntu2404,
      'usr/lib/os-release': OS_RELEASE.debian12,
      'etc/debian_version': 'trixie/sid\n',
    });
    expect(distro?.ecosystem).toBe('Ubuntu:24.04');
  });

  it('follows the etc/os-release symlink into usr/lib', async () => {
    const inv = await inventoryFromLayers(
      [distroScanner],
      [[{ path: 'etc/os-release', link: '../usr/lib/os-release' }, { path: 'usr/lib/os-release', content: OS_RELEASE.debian12 }]],
    );
    expect(inv.distro).toMatchObject({ ecosystem: 'Debian:12', evidence: 'usr/lib/os-release' });
  });

  it('an upper layer replacing os-release changes the answer; a whiteout removes it', async () => {
    const upgraded = await inventoryFromLayers(
      [distroScanner],
      [[{ path: 'etc/os-release', content: OS_RELEASE.alpine320 }], [{ path: 'etc/os-release', content: OS_RELEASE.alpineEdge }]],
    );
    expect(upgraded.distro?.ecosystem).toBe('Alpine:edge');
    const removed = await inventoryFromLayers([distroScanner], [[{ path: 'etc/os-release', content: OS_RELEASE.alpine320 }], [{ whiteout: 'etc/os-release' }]]);
    expect(removed.distro).toBeUndefined();
  });
});

describe('distro scanner: release files without os-release', () => {
  it.each([
    [{ 'etc/debian_version': '8.11\n' }, { family: 'debian', version: '8.11', ecosystem: 'Debian:8' }],
    [{ 'etc/debian_version': '6.0.10\n' }, { family: 'debian', version: '6.0.10', ecosystem: 'Debian:6.0' }],
    [{ 'etc/debian_version': 'bookworm/sid\n' }, { family: 'debian', version: 'sid', ecosystem: 'Debian:sid' }],
    [{ 'etc/alpine-release': '3.9.6\n' }, { family: 'alpine', version: '3.9.6', ecosystem: 'Alpine:v3.9' }],
    [{ 'etc/centos-release': 'CentOS release 6.10 (Final)\n', 'etc/redhat-release': 'CentOS release 6.10 (Final)\n' }, { family: 'centos', version: '6.10', ecosystem: 'CentOS:6' }],
    [{ 'etc/redhat-release': 'Red Hat Enterprise Linux Server release 6.10 (Santiago)\n' }, { family: 'rhel', version: '6.10', ecosystem: 'Red Hat:enterprise_linux:6' }],
    [{ 'etc/redhat-release': 'Rocky Linux release 8.9 (Green Obsidian)\n' }, { family: 'rocky', version: '8.9', ecosystem: 'Rocky Linux:8' }],
    [{ 'etc/redhat-release': 'AlmaLinux release 9.3 (Shamrock Pampas Cat)\n' }, { family: 'almalinux', ecosystem: 'AlmaLinux:9' }],
    [{ 'etc/fedora-release': 'Fedora release 39 (Thirty Nine)\n' }, { family: 'fedora', version: '39', ecosystem: 'Fedora:39' }],
    [{ 'etc/oracle-release': 'Oracle Linux Server release 7.9\n' }, { family: 'ol', version: '7.9', ecosystem: 'Oracle Linux:7' }],
    [{ 'etc/system-release': 'Amazon Linux AMI release 2018.03\n' }, { family: 'amzn', version: '2018.03', ecosystem: 'Amazon Linux:1' }],
    [{ 'etc/system-release': 'Amazon Linux release 2 (Karoo)\n' }, { family: 'amzn', version: '2', ecosystem: 'Amazon Linux:2' }],
    [{ 'etc/SuSE-release': 'SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n' }, { family: 'sles', version: '11.4', ecosystem: 'SUSE:Linux Enterprise Server 11 SP4' }],
    [{ 'etc/photon-release': 'VMware Photon OS 4.0\nPHOTON_BUILD_NUMBER=1526e30ba0\n' }, { family: 'photon', version: '4.0', ecosystem: 'Photon OS:4.0' }],
    [{ 'etc/mariner-release': 'CBL-Mariner 2.0.20230126\nMARINER_BUILD_NUMBER=a1b2c3\n' }, { family: 'mariner', version: '2.0', ecosystem: 'Mariner:2.0' }],
    [{ 'etc/azurelinux-release': 'Azure Linux 3.0.20240727\nAZURELINUX_BUILD_NUMBER=abc\n' }, { family: 'azurelinux', version: '3.0', ecosystem: 'Azure Linux:3.0' }],
    [{ 'etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=14.04\nDISTRIB_CODENAME=trusty\nDISTRIB_DESCRIPTION="Ubuntu 14.04.6 LTS"\n' }, { family: 'ubuntu', version: '14.04', ecosystem: 'Ubuntu:14.04', codename: 'trusty' }],
  ])('%j', async (files, expected) => {
    expect(await detect(files)).toMatchObject(expected);
  });

  it('nothing recognisable gives no distro', async () => {
    expect(await detect({ 'etc/redhat-release': 'Some Vendor OS release\n', 'etc/alpine-release': 'garbage' })).toBeUndefined();
    expect(await detect({})).toBeUndefined();
  });

  it('a garbled os-release falls back to the release files', async () => {
    const distro = await detect({ 'etc/os-release': '\u0000\u0001binary junk', 'etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n' });
    expect(distro).toMatchObject({ family: 'centos', version: '7.9.2009', ecosystem: 'CentOS:7', evidence: 'etc/centos-release' });
  });
});
