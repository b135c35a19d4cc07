import type { Command } from '@commander-js/extra-typings';

export function registerImageCommands(_program: Command): void {}
