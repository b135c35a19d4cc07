import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { distroScanner } from './distro/scanner.js';
import { inMemoryLayerId, inventoryFromFiles, inventoryFromLayers } from './from-files.js';
import { javaScanner } from './lang/java.js';
import { npmScanner } from './lang/npm.js';
import { dpkgScanner } from './os/dpkg.js';

const osRelease = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';
const status = [
  'Package: libouter-java',
  'Status: install ok installed',
  'Architecture: all',
  'Version: 1.0-1',
  '',
  'Package: node-inherits',
  'Status: install ok installed',
  'Architecture: all',
  'Version: 2.0.4-6',
  '',
].join('\n');

function jar(group: string, artifact: string, version: string, nested: Record<string, Uint8Array> = {}): Uint8Array {
  return zipSync({
    [`META-INF/maven/${group}/${artifact}/pom.properties`]: strToU8(`groupId=${group}\nartifactId=${artifact}\nversion=${version}\n`),
    ...nested,
  });
}

const files = [
  { path: 'etc/os-release', content: osRelease },
  { path: 'var/lib/dpkg/status', content: status },
  { path: 'var/lib/dpkg/info/libouter-java.list', content: '/usr/share/java\n/usr/share/java/outer.jar\n' },
  { path: 'var/lib/dpkg/info/node-inherits.list', content: '/usr/share/nodejs/inherits/package.json\n' },
  { path: 'usr/share/java/outer.jar', content: Buffer.from(jar('org.example', 'outer', '1.0', { 'lib/inner.jar': jar('org.example', 'inner', '2.0') })) },
  { path: 'usr/share/nodejs/inherits/package.json', content: '{"name":"inherits","version":"2.0.4"}' },
  { path: 'opt/app/node_modules/inherits/package.json', content: '{"name":"inherits","version":"2.0.3"}' },
];
const scanners = [distroScanner, dpkgScanner, javaScanner, npmScanner];

describe('assembleInventory: files an OS package owns', () => {
  it('attributes language packages (also archives nested in owned archives) to the OS package', async () => {
    const inv = await inventoryFromFiles(scanners, files);
    const lang = inv.packages.filter((p) => p.kind === 'lang').map((p) => `${p.name}@${p.version}`);
    expect(lang).toEqual(['inherits@2.0.3']);
    expect(inv.packages.filter((p) => p.kind === 'os').map((p) => p.name).sort()).toEqual(['libouter-java', 'node-inherits']);
  });

  it('keeps them, marked with their owner, when asked', async () => {
    const inv = await inventoryFromFiles(scanners, files, { keepOsOwned: true });
    const owned = Object.fromEntries(inv.packages.filter((p) => p.ownedBy).map((p) => [p.name, p.ownedBy?.name]));
    expect(owned).toEqual({ 'org.example:outer': 'libouter-java', 'org.example:inner': 'libouter-java', inherits: 'node-inherits' });
  });
});

describe('assembleInventory: layer semantics', () => {
  it('places files written through a symlinked parent where the link leads, and whiteouts there remove them', async () => {
    const app = '{"name":"left-pad","version":"1.3.0"}';
    const two = await inventoryFromLayers(scanners, [[{ path: 'srv', link: 'opt/srv' }], [{ path: 'srv/app/package.json', content: app }]]);
    expect(two.packages.map((p) => [p.name, p.paths])).toEqual([['left-pad', ['opt/srv/app/package.json']]]);
    const three = await inventoryFromLayers(scanners, [
      [{ path: 'srv', link: 'opt/srv' }],
      [{ path: 'srv/app/package.json', content: app }],
      [{ whiteout: 'opt/srv/app' }],
    ]);
    expect(three.packages).toEqual([]);
  });

  it('refuses a layer that writes through a symlink loop, naming the layer and path', async () => {
    const layers = [[{ path: 'a', link: 'b' }, { path: 'b', link: 'a' }], [{ path: 'a/app/package.json', content: '{"name":"x","version":"1.0.0"}' }]];
    await expect(inventoryFromLayers(scanners, layers)).rejects.toMatchObject({ code: 'unsafe', where: { layer: inMemoryLayerId(1) } });
    await expect(inventoryFromLayers(scanners, layers)).rejects.toThrow(/symlink loop/);
  });
});
