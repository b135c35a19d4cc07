import type { Command } from '@commander-js/extra-typings';

export function registerDbCommands(_program: Command): void {}
