/**
 * The `strata` command: parses argv, runs one command, maps the outcome to
 * an exit code. Errors print one clear line (never a stack unless --debug).
 */
import { Command, CommanderError } from '@commander-js/extra-typings';
import { EXIT_ERROR, EXIT_OK, isStrataError } from '../core/errors.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { STRATA_TOOL } from '../report/tool.js';
import { registerCacheCommands } from './cache.js';
import { ExitCode } from './exit.js';
import { registerDbCommands } from './db.js';
import { registerImageCommands } from './image.js';
import { guardStdout } from './output.js';
import { registerSbomCommands } from './sbom.js';
import { registerVersionCommands } from './version.js';


export function buildProgram(): Command {
  const program = new Command()
    .name('strata')
    .description('Find known vulnerabilities in container images, root filesystems and SBOMs.')
    .version(STRATA_TOOL.version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      writeOut: (s) => process.stdout.write(s),
    });
  registerImageCommands(program);
  registerSbomCommands(program);
  registerDbCommands(program);
  registerVersionCommands(program);
  registerCacheCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  guardStdout();
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof ExitCode) return e.code;
    if (e instanceof CommanderError) {
      // Help and --version end through exitOverride with exit code 0.
      if (e.exitCode === 0) return EXIT_OK;
      return EXIT_ERROR;
    }
    if (isStrataError(e)) {
      process.stderr.write(`strata: error: ${escapeForTerminal(e.message)}\n`);
      if (debug && e.cause instanceof Error && e.cause.stack) process.stderr.write(`${e.cause.stack}\n`);
      return EXIT_ERROR;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`strata: internal error: ${escapeForTerminal(message)}\n`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    else process.stderr.write('(run with --debug for details)\n');
    return EXIT_ERROR;
  }
}
