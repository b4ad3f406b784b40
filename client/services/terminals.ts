import { computed, signal } from '@preact/signals';
import { t } from '../i18n/index.ts';
import { loadStylesheet } from '../lib/stylesheet.ts';
import type { TerminalsModule } from '../terminal/workspace.ts';
import type { TabsStore, TabsStoreDeps } from './tabs.ts';
import { errorMessage } from '../../base/errors.ts';

/** sessionStorage key of the open terminal tabs (read here so the nav can count them before the terminal code loads). */
export const TABS_STORAGE_KEY = 'tb.tabs';

export function storedTabKeys(): string[] {
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(TABS_STORAGE_KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((k): k is string => typeof k === 'string').slice(0, 20) : [];
  } catch {
    return [];
  }
}

/**
 * The terminal tabs and their code, loaded on first use. xterm.js is most of the
 * client's JavaScript and the board pages never need it, so it lives in its own
 * chunk (a dynamic import): the dashboard paints without it, and the chunk is
 * fetched in idle time afterwards so opening a terminal stays instant.
 */
export class Terminals {
  readonly module = signal<TerminalsModule | undefined>(undefined);
  readonly store = signal<TabsStore | undefined>(undefined);
  readonly loadError = signal<string | undefined>(undefined);
  /** Open tabs, for the nav (from this browser tab's storage until the code is loaded). */
  readonly openCount = computed(() => this.store.value?.tabs.value.length ?? storedTabKeys().length);
  private loading: Promise<TerminalsModule> | undefined;

  constructor(private readonly deps: TabsStoreDeps) {}

  /** Loads the terminal code and creates the tab store (once). */
  load(): Promise<TerminalsModule> {
    // The code and its stylesheet together: the terminal never paints unstyled.
    this.loading ??= Promise.all([import('../terminal/workspace.ts'), loadStylesheet('terminal')]).then(
      ([module]) => {
        this.store.value = new module.TabsStore(this.deps);
        this.module.value = module;
        this.loadError.value = undefined;
        return module;
      },
      (error: unknown) => {
        this.loading = undefined;
        this.loadError.value = t('error.terminalLoad', { error: errorMessage(error) });
        throw error;
      },
    );
    return this.loading;
  }

  /** Fetches the chunk without creating tabs (no sockets), so a later load() is instant. */
  preload(): void {
    void import('../terminal/workspace.ts').catch(() => undefined);
    void loadStylesheet('terminal').catch(() => undefined);
  }
}
