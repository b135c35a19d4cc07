/** `strata cache clean`: removes the analysis cache (layer analyses and image inventories). */
import type { Command } from '@commander-js/extra-typings';
import { defaultCacheDir, LayerCache } from '../cache/layer-cache.js';
import { writeStdout } from './output.js';

export function registerCacheCommands(program: Command): void {
  const cache = program.command('cache').description('manage the analysis cache (layer analyses and image inventories)');
  cache
    .command('clean')
    .description('remove every cached layer analysis and image inventory')
    .option('--cache-dir <dir>', 'cache directory (default: $XDG_CACHE_HOME/strata)')
    .action(async (flags) => {
      const dir = flags.cacheDir ?? defaultCacheDir();
      const { files, bytes } = await new LayerCache(dir).clean();
      await writeStdout(`removed ${files} cached layer analyses (${(bytes / 1e6).toFixed(1)} MB) from ${dir}\n`);
    });
}
