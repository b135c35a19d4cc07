/**
 * `strata version compare --scheme ID [A B]`: prints -1, 0 or 1 as the
 * ecosystem orders A and B. Without A and B it reads `a<TAB>b` lines from
 * stdin and prints one result per line (buffered; a million lines take
 * about a second), which is also how the conformance tests drive it.
 */
import { Option, type Command } from '@commander-js/extra-typings';
import { StrataError, isStrataError } from '../core/errors.js';
import type { VersionScheme } from '../core/version.js';
import { SCHEME_IDS, schemeById } from '../versioning/index.js';

const FLUSH_AT = 64 * 1024;

export function registerVersionCommands(program: Command): void {
  const version = program.command('version').description('Work with package versions the way each ecosystem orders them.');
  version
    .command('compare')
    .description('Print -1, 0 or 1 as A is older than, the same as, or newer than B. Without A and B, compare a<TAB>b lines from stdin.')
    .addOption(new Option('--scheme <id>', 'version scheme').choices(SCHEME_IDS).makeOptionMandatory())
    .argument('[a]', 'first version')
    .argument('[b]', 'second version')
    .action(async (a, b, options) => {
      const scheme = schemeById(options.scheme);
      if (!scheme) throw new StrataError('usage', `unknown scheme ${options.scheme} (one of ${SCHEME_IDS.join(', ')})`);
      if (a !== undefined && b === undefined) throw new StrataError('usage', 'give two versions A and B, or none to read a<TAB>b lines from stdin');
      if (a !== undefined && b !== undefined) {
        process.stdout.write(`${scheme.compare(a, b)}\n`);
        return;
      }
      await compareLines(scheme, process.stdin, process.stdout);
    });
}

/** Compares `a<TAB>b` lines from `input`, writing one result per line to `output`. */
export async function compareLines(scheme: VersionScheme, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<number> {
  let lineNo = 0;
  let rest = '';
  let out = '';
  const flush = async () => {
    if (out.length === 0) return;
    const ok = output.write(out);
    out = '';
    if (!ok) await new Promise<void>((resolve) => output.once('drain', resolve));
  };
  const compareLine = (line: string) => {
    lineNo++;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    const tab = text.indexOf('\t');
    if (tab < 0 || text.indexOf('\t', tab + 1) >= 0) {
      throw new StrataError('usage', `stdin line ${lineNo}: expected two versions separated by one tab, got ${JSON.stringify(text)}`);
    }
    try {
      out += `${scheme.compare(text.slice(0, tab), text.slice(tab + 1))}\n`;
    } catch (e) {
      if (isStrataError(e)) throw new StrataError(e.code, `stdin line ${lineNo}: ${e.detail}`);
      throw e;
    }
  };
  input.setEncoding('utf8');
  try {
    for await (const chunk of input) {
      const text = rest + (chunk as string);
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        compareLine(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
      if (out.length >= FLUSH_AT) await flush();
    }
    if (rest.length > 0) compareLine(rest);
  } finally {
    // Results up to a bad line are still printed, so the line number can be checked against them.
    await flush();
  }
  return lineNo;
}
