import { signal } from '@preact/signals';

/** Page-wide dialogs of the terminal pages (one of each, whatever tab opened it). */
export const keysHelpOpen = signal(false);
export const settingsOpen = signal(false);
