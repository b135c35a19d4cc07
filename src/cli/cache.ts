import type { Command } from '@commander-js/extra-typings';

export function registerCacheCommands(_program: Command): void {}
