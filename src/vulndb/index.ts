/** The database stage's public surface (library use and the CLI). */
export { buildDatabase, type BuildOptions, type BuildResult, type BuiltFeed } from './build.js';
export { openVulnStore, SqliteVulnStore } from './store/sqlite.js';
export { SCHEMA_VERSION } from './store/schema.js';
export { defaultDbPath, resolveDbPath, dbAgeWarning, parseDuration } from './paths.js';
export { normalizePackageName, normalizeEcosystem, ecosystemFamily, debianEcosystem, alpineEcosystem, DEBIAN_RELEASES, DEBIAN_TRACKED_RELEASES, UBUNTU_RELEASES } from './names.js';
export { SOURCES, sourceById } from './sources/index.js';
export { liveFeeds } from './live.js';
export type { Source, FeedRecord, ReadContext, SkipWhere } from './source.js';
