/**
 * `strata db …`: build, inspect and distribute the vulnerability database.
 *
 *   strata db build [--from PATH|URL|ID=PATH]… [--output FILE] [--full]
 *   strata db status [--format table|json] [--max-age 7d]
 *   strata db push REF
 *   strata db update [--db-repository REF] [--force]
 *
 * Every command takes `--db FILE` (or STRATA_DB); the default is
 * `$XDG_CACHE_HOME/strata/db/strata.db` (see vulndb/paths.ts). Without
 * `--from`, `db build` reads the live feeds listed in vulndb/live.ts.
 */
import { type Command, Option } from '@commander-js/extra-typings';
import { StrataError } from '../core/errors.js';
import { DEFAULT_DB_REPOSITORY, parseDuration, resolveDbPath } from '../vulndb/paths.js';
import { createLogger, writeStdout } from './output.js';

const dbOption = () => new Option('--db <file>', 'vulnerability database file (default: $XDG_CACHE_HOME/strata/db/strata.db)').env('STRATA_DB');
const quietOption = () => new Option('-q, --quiet', 'print only warnings and errors');
const debugOption = () => new Option('--debug', 'print debug messages');

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('Build, inspect and update the vulnerability database.');

  db.command('build')
    .description('Build the database from vulnerability feeds (files, folders or URLs; the live feeds when no --from is given).')
    .option('--from <source>', 'feed file, folder or URL, or ID=PATH to name the feed (repeatable)', collect, [] as string[])
    .option('-o, --output <file>', 'database file to write (default: --db)')
    .option('--full', 're-read every feed, even those unchanged since the previous build')
    .addOption(dbOption())
    .addOption(quietOption())
    .addOption(debugOption())
    .action(async (options) => {
      const logger = createLogger({ ...(options.quiet ? { quiet: true } : {}), ...(options.debug ? { debug: true } : {}) });
      const output = options.output ?? resolveDbPath(options.db);
      const controller = new AbortController();
      const onSignal = () => controller.abort(new StrataError('io', 'interrupted'));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        // The feed readers load only when a build runs (likewise below): `strata --help` stays fast.
        const { buildDatabase } = await import('../vulndb/build.js');
        await buildDatabase({ inputs: options.from, output, logger, signal: controller.signal, ...(options.full ? { full: true } : {}) });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });

  db.command('status')
    .description('Show the database file, schema, build time, age and, per source, its input and record counts.')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json'] as const).default('table' as const))
    .option('--max-age <duration>', 'warn when the database is older than this (e.g. 7d, 12h)', '7d')
    .addOption(dbOption())
    .action(async (options) => {
      const file = resolveDbPath(options.db);
      const maxAge = parseDuration(options.maxAge);
      const { readDatabaseStatus, statusTable } = await import('../vulndb/status.js');
      const { status, warning } = readDatabaseStatus(file, maxAge);
      if (warning) createLogger({}).warn(warning);
      await writeStdout(options.format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : statusTable(status));
    });

  db.command('push')
    .description('Upload the database to an OCI registry as an artifact (compressed, with schema version and build time annotations).')
    .argument('<ref>', `registry reference, e.g. registry.example.com/team/strata-db (the tag defaults to the schema version)`)
    .option('--insecure', 'allow plain HTTP and unverified TLS for this registry')
    .addOption(dbOption())
    .addOption(quietOption())
    .addOption(debugOption())
    .action(async (ref, options) => {
      const logger = createLogger({ ...(options.quiet ? { quiet: true } : {}), ...(options.debug ? { debug: true } : {}) });
      const { pushDatabase } = await import('../vulndb/artifact.js');
      const result = await pushDatabase(resolveDbPath(options.db), ref, { logger, ...(options.insecure ? { insecure: true } : {}) });
      await writeStdout(`${result.reference}@${result.digest}\n`);
    });

  db.command('update')
    .description('Download the newest published database, verify its digest and swap it in atomically.')
    .addOption(new Option('--db-repository <ref>', 'where the database artifact is published').env('STRATA_DB_REPOSITORY').default(DEFAULT_DB_REPOSITORY))
    .option('--insecure', 'allow plain HTTP and unverified TLS for this registry')
    .option('--force', 'download even when the local database is the published one')
    .addOption(dbOption())
    .addOption(quietOption())
    .addOption(debugOption())
    .action(async (options) => {
      const logger = createLogger({ ...(options.quiet ? { quiet: true } : {}), ...(options.debug ? { debug: true } : {}) });
      const { pullDatabase } = await import('../vulndb/artifact.js');
      await pullDatabase(options.dbRepository, resolveDbPath(options.db), {
        logger,
        ...(options.insecure ? { insecure: true } : {}),
        ...(options.force ? { force: true } : {}),
      });
    });
}
