/**
 * Strata as a library: every stage's entry points and the types between
 * them. The CLI (src/cli/) is built on exactly these.
 */
export * from './core/index.js';
export * from './image/index.js';
export { proveLayerBlob, walkLayer, walkDirectory, listImageFiles, LayerStack, type WalkLayerOptions, type WalkDirectoryOptions } from './layer/index.js';
export { SCANNERS } from './inventory/registry.js';
export { inventoryFromFiles, type InMemoryFile } from './inventory/from-files.js';
export { LayerCache, defaultCacheDir, type InventoryKey, type LayerKey } from './cache/layer-cache.js';
export { inventoryOfImage, type InventoryOptions, type ImageInventory, type ProgressSink } from './scan/inventory.js';
export { scanImage, scanInventory, type ScanOptions } from './scan/scan.js';
export { scanTargets, notifyResults, defaultParallel, type ScanTarget, type BatchOutcome, type NotifyOptions } from './scan/batch.js';
export { SCHEMES, schemeById, schemeForEcosystem, evaluateRanges, affectedByFix } from './versioning/index.js';
export { MemoryVulnStore, type MemoryStoreContents } from './vulndb/store/memory.js';
export { buildDatabase, openVulnStore, defaultDbPath, resolveDbPath, dbAgeWarning, SCHEMA_VERSION } from './vulndb/index.js';
export { pushDatabase, pullDatabase } from './vulndb/artifact.js';
export { openDatabase, type DatabaseOptions, type OpenedDatabase } from './vulndb/lifecycle.js';
export { readDatabaseStatus, statusJson, statusTable, type DbStatusJson } from './vulndb/status.js';
export { matchInventory, type MatchOptions } from './match/matcher.js';
export { applyPolicy, type Policy } from './policy/filter.js';
export { readIgnoreFile, parseIgnoreText, parseIgnoreYaml, type IgnoreRule } from './policy/ignore-file.js';
export { readVexFile, parseVex, type VexStatement } from './policy/vex.js';
export { renderReport, REPORT_FORMATS, type ReportFormat, type RenderOptions } from './report/index.js';
export { REPORT_SCHEMA_VERSION } from './report/json.js';
export { explainVulnerability, renderExplanation, type ExplainedVulnerability } from './report/explain.js';
export { buildJsonReport, buildCombinedJsonReport } from './report/json.js';
export { parseSbom, readSbomFile } from './sbom/index.js';
export { postWebhook, summarize } from './notify/webhook.js';
