import { signal } from '@preact/signals';
import { Disposable, toDisposable } from '../lib/disposable.ts';
import { TerminalTab } from '../terminal/terminal-tab.ts';
import type { ApiClient } from './api.ts';
import type { SessionStore } from './sessions.ts';
import { storedTabKeys as loadKeys, TABS_STORAGE_KEY as STORAGE_KEY } from './terminals.ts';
import type { ThemeStore } from './theme.ts';

export interface TabsStoreDeps {
  readonly api: ApiClient;
  readonly sessions: SessionStore;
  readonly theme: ThemeStore;
  /** ws://host:port */
  readonly baseUrl: string;
  /** F6 in a terminal: where focus goes. */
  readonly onEscapeFocus: () => void;
}

/**
 * The open terminal tabs. Each tab owns its socket and xterm for as long as
 * it is open, whether it is shown or not. The active tab is the one in the URL
 * (`/sessions/:key`); the list of open tabs survives a reload of this browser tab.
 */
export class TabsStore extends Disposable {
  readonly tabs = signal<readonly TerminalTab[]>([]);
  readonly activeKey = signal<string | undefined>(undefined);

  private readonly api: ApiClient;
  private readonly sessions: SessionStore;
  private readonly theme: ThemeStore;
  private readonly baseUrl: string;
  private readonly onEscapeFocus: () => void;

  constructor(deps: TabsStoreDeps) {
    super();
    this.api = deps.api;
    this.sessions = deps.sessions;
    this.theme = deps.theme;
    this.baseUrl = deps.baseUrl;
    this.onEscapeFocus = deps.onEscapeFocus;
    // Tabs of this browser tab's last visit come back once the list says which sessions are closed.
    const restore = loadKeys();
    const restoring = this.sessions.loaded.subscribe((loaded) => {
      if (!loaded || restore.length === 0) return;
      const current = this.tabs.value;
      const restored = restore.filter((key) => !current.some((t) => t.sessionKey === key)).map((key) => this.create(key));
      restore.length = 0;
      this.tabs.value = [...restored, ...current];
      for (const tab of restored) tab.setActive(tab.sessionKey === this.activeKey.value);
      this.persist();
    });
    this.register(toDisposable(restoring));
    this.register(toDisposable(() => this.tabs.value.forEach((t) => t.dispose())));
    // A session closed elsewhere: its tab stops reconnecting at once.
    this.register(
      toDisposable(
        this.sessions.byKey.subscribe((byKey) => {
          for (const tab of this.tabs.value) {
            if (byKey.get(tab.sessionKey)?.status === 'closed') tab.connection.markClosed('the session is closed');
          }
        }),
      ),
    );
  }

  get(key: string): TerminalTab | undefined {
    return this.tabs.value.find((t) => t.sessionKey === key);
  }

  /** Opens (or finds) the tab of a session. */
  open(key: string): TerminalTab {
    const existing = this.get(key);
    if (existing) return existing;
    const tab = this.create(key);
    this.tabs.value = [...this.tabs.value, tab];
    this.persist();
    return tab;
  }

  private create(key: string): TerminalTab {
    const tab = new TerminalTab({
      sessionKey: key,
      mode: 'control',
      baseUrl: this.baseUrl,
      theme: this.theme.theme,
      probe: (k) => this.api.probeSession(k),
      onEscapeFocus: this.onEscapeFocus,
      sizesByDefault: () => this.sessions.get(key)?.adopted === false,
    });
    if (this.sessions.get(key)?.status === 'closed') tab.connection.markClosed('the session is closed');
    else tab.start();
    return tab;
  }

  /** Closes a tab (the session keeps running). Returns the key of a neighbour to show, if any. */
  close(key: string): string | undefined {
    const list = this.tabs.value;
    const index = list.findIndex((t) => t.sessionKey === key);
    if (index < 0) return this.activeKey.value;
    const [tab] = list.slice(index, index + 1);
    const rest = list.filter((t) => t.sessionKey !== key);
    this.tabs.value = rest;
    tab?.dispose();
    this.persist();
    if (this.activeKey.value !== key) return this.activeKey.value;
    return (rest[index] ?? rest[index - 1])?.sessionKey;
  }

  /** Follows the URL: opens and activates `key`, or deactivates all. */
  activate(key: string | undefined): void {
    if (key) this.open(key);
    this.activeKey.value = key;
    for (const tab of this.tabs.value) tab.setActive(tab.sessionKey === key);
  }

  private persist(): void {
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(this.tabs.value.map((t) => t.sessionKey)));
    } catch {
      // storage disabled
    }
  }
}
