import { describe, expect, it } from 'vitest';
import { renderBoxTable, visibleWidth } from './box-table.js';

describe('box tables', () => {
  it('draws a grid whose lines all have the same visible width, colour codes not counted', () => {
    const out = renderBoxTable(
      [{ cells: ['libssl3', '\u001b[31mHIGH\u001b[39m', 'two\nlines'] }, { cells: ['zlib1g', 'CRITICAL', ''] }],
      { head: ['Library', 'Severity', 'Note'] },
    );
    const lines = out.split('\n');
    expect(new Set(lines.map(visibleWidth)).size).toBe(1);
    expect(lines[0]).toBe('┌─────────┬──────────┬───────┐');
    expect(lines).toContain('│ libssl3 │ \u001b[31mHIGH\u001b[39m     │ two   │');
    expect(lines).toContain('│         │          │ lines │');
    expect(lines.at(-1)).toBe('└─────────┴──────────┴───────┘');
  });

  it('merges the first cell of consecutive rows with the same key', () => {
    const out = renderBoxTable(
      [
        { cells: ['libc6', 'CVE-2023-4911'], mergeKey: 'libc6' },
        { cells: ['libc6', 'CVE-2010-4756'], mergeKey: 'libc6' },
        { cells: ['zlib1g', 'CVE-2023-45853'], mergeKey: 'zlib1g' },
      ],
      { head: ['Library', 'Vulnerability'] },
    );
    expect(out.split('\n').slice(3, 8)).toEqual([
      '│ libc6   │ CVE-2023-4911  │',
      '│         ├────────────────┤',
      '│         │ CVE-2010-4756  │',
      '├─────────┼────────────────┤',
      '│ zlib1g  │ CVE-2023-45853 │',
    ]);
  });

  it('wraps a column given a width at spaces, cutting words longer than the column', () => {
    const out = renderBoxTable([{ cells: ['x', 'glibc: buffer overflow in ld.so https://nvd.nist.gov/vuln/detail/CVE-2023-4911'] }], { head: ['A', 'Title'], widths: [undefined, 20] });
    const titles = out.split('\n').filter((l) => l.startsWith('│')).map((l) => l.split('│')[2]!.trim());
    expect(titles).toEqual(['Title', 'glibc: buffer', 'overflow in ld.so', 'https://nvd.nist.gov', '/vuln/detail/CVE-202', '3-4911']);
    expect(new Set(out.split('\n').map(visibleWidth)).size).toBe(1);
  });
});
