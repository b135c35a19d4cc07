import type { Command } from '@commander-js/extra-typings';

export function registerVersionCommands(_program: Command): void {}
