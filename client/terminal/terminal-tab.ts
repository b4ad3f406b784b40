import { effect, signal } from '@preact/signals';
import type { TerminalMode } from '../../schemas/index.ts';
import { Disposable, listen, MutableDisposable, timeout, toDisposable, type IDisposable } from '../lib/disposable.ts';
import type { SessionProbe } from '../services/api.ts';
import type { Theme } from '../services/theme.ts';
import { TerminalConnection } from './terminal-connection.ts';
import { applyModifiers, type ExtraKey, extraKeyData, type Modifiers } from './extra-keys.ts';
import { terminalSettings } from './settings.ts';
import { TERMINAL_THEMES } from './themes.ts';
import { XtermView, type ViewNotice } from './xterm-view.ts';
import { t } from '../i18n/index.ts';

export interface TerminalTabOptions {
  readonly sessionKey: string;
  readonly mode: TerminalMode;
  readonly baseUrl: string;
  readonly theme: { readonly value: Theme };
  readonly probe: (key: string) => Promise<SessionProbe>;
  /** Where focus goes when the user leaves the terminal with F6. */
  readonly onEscapeFocus: () => void;
  /**
   * Whether this tab may size the pane without being asked: true for sessions the
   * bridge created; false for adopted ones (a user's own tmux windows), which keep
   * their size until this viewer types or presses "fit to this window".
   */
  readonly sizesByDefault?: () => boolean;
}

/** Who decides the pane's size, as far as this tab knows. */
export type SizeOwner = 'this' | 'other' | 'native';

const WISH_DEBOUNCE_MS = 120;

/**
 * One open terminal tab: its socket, its xterm, and the sizing policy.
 * The socket lives as long as the tab, visible or not; only a visible,
 * active tab with a non-zero container ever asks for a size.
 */
export class TerminalTab extends Disposable {
  readonly connection: TerminalConnection;
  readonly view: XtermView;
  /** The size that would fit this tab's container, when it can be measured. */
  readonly fitted = signal<{ cols: number; rows: number } | undefined>(undefined);
  /**
   * True once this tab decides the pane's size (it typed, or "fit" was pressed,
   * or the session sizes by default). A native tmux client still wins while attached.
   */
  readonly sizing = signal(false);
  /** A short note for the toolbar (copied, paste blocked, …), cleared after a moment. */
  readonly notice = signal<ViewNotice | undefined>(undefined);
  /** The terminal's context menu, where it was opened. */
  readonly menu = signal<{ x: number; y: number } | undefined>(undefined);
  /** The find bar is open. */
  readonly searching = signal(false);
  /** Sticky Ctrl / Alt of the phone's extra keys: they apply to the next key, then release. */
  readonly modifiers = signal<Modifiers>({ ctrl: false, alt: false });
  /**
   * Set while the view starts at a stream offset (`/sessions/:key?offset=N`, an execution's
   * start): `found` undefined while asking, true when the server replayed from there, false
   * when its buffer no longer held it (the current screen is shown instead).
   */
  readonly from = signal<{ readonly offset: number; readonly found: boolean | undefined } | undefined>(undefined);
  private readonly noticeTimer = this.register(new MutableDisposable());
  private active = false;
  private readonly wishTimer = this.register(new MutableDisposable());
  private mounted: IDisposable | undefined;
  private frame: HTMLElement | undefined;
  private sizer: HTMLElement | undefined;

  constructor(readonly options: TerminalTabOptions) {
    super();
    this.view = this.register(
      new XtermView({
        theme: TERMINAL_THEMES[options.theme.value],
        readOnly: options.mode === 'view',
        onData: (data) => this.input(data),
        onBinary: (data) => this.connection.sendBinaryInput(data),
        onEscapeFocus: options.onEscapeFocus,
        onNotice: (notice) => this.showNotice(notice),
        onContextMenu: (x, y) => (this.menu.value = { x, y }),
        onFind: () => (this.searching.value = true),
        strings: { promptLabel: t('term.inputLabel'), tooMuchOutput: t('term.tooMuchOutput') },
      }),
    );
    this.connection = this.register(
      new TerminalConnection({
        sessionKey: options.sessionKey,
        mode: options.mode,
        baseUrl: options.baseUrl,
        sink: this.view,
        probe: options.probe,
      }),
    );
    this.register(toDisposable(effect(() => this.view.setTheme(TERMINAL_THEMES[options.theme.value]))));
    // A new font size changes what fits: ask again (when this tab decides the size).
    let fontSize = terminalSettings.value.fontSize;
    this.register(
      toDisposable(
        effect(() => {
          const size = terminalSettings.value.fontSize;
          if (size !== fontSize) {
            fontSize = size;
            this.scheduleWish();
          }
        }),
      ),
    );
    this.register(this.connection.onSeek(({ offset, found }) => (this.from.value = { offset, found })));
    // The replay is in: its first line (the execution's start) at the top; later output does not move the view.
    this.register(this.connection.onReplayed(() => this.view.term.scrollToTop()));
    // A new socket (first connect, reconnect, server restart): offer our size once.
    this.register(
      this.connection.onHello(({ first }) => {
        if (first && !this.sizing.value && (options.sizesByDefault?.() ?? true)) this.sizing.value = true;
        if (first) this.scheduleWish();
      }),
    );
    this.register(listen(window, 'focus', () => this.scheduleWish()));
    this.register(
      listen(document, 'visibilitychange', () => {
        if (document.visibilityState !== 'visible') return;
        this.connection.retryNow();
        this.scheduleWish();
      }),
    );
    // The network is back: do not wait out the backoff.
    this.register(listen(window, 'online', () => this.connection.retryNow()));
    this.register(toDisposable(() => this.unmount()));
  }

  /** What the user typed (keyboard, paste, extra keys), with the sticky modifiers applied. */
  input(data: string): void {
    const modifiers = this.modifiers.value;
    if (modifiers.ctrl || modifiers.alt) {
      data = applyModifiers(data, modifiers);
      this.modifiers.value = { ctrl: false, alt: false };
    }
    // Typing is using the terminal: from now on this window decides the size.
    if (!this.sizing.value) this.claimSize();
    this.connection.sendInput(data);
  }

  /** A key of the phone's extra-key row. */
  sendKey(key: ExtraKey): void {
    if (key === 'ctrl' || key === 'alt') {
      const current = this.modifiers.value;
      this.modifiers.value = { ...current, [key]: !current[key] };
      return;
    }
    this.input(extraKeyData(key, this.view.term.modes.applicationCursorKeysMode));
  }

  showNotice(notice: ViewNotice): void {
    this.notice.value = notice;
    this.noticeTimer.value = timeout(() => (this.notice.value = undefined), 2500);
  }

  /** Shows the stream from `offset` (an execution's start); undefined: back to the current screen. */
  showFrom(offset: number | undefined): void {
    if (offset === undefined) {
      if (!this.from.value) return;
      this.from.value = undefined;
      this.connection.seek(undefined);
      return;
    }
    if (this.from.value?.offset === offset) return;
    this.from.value = { offset, found: undefined };
    this.connection.seek(offset);
  }

  get sessionKey(): string {
    return this.options.sessionKey;
  }

  start(): void {
    this.connection.start();
  }

  /**
   * Shows the terminal in `frame` (the visible box) using `sizer` as xterm's
   * parent. The sizer always has the frame's outer size, so scrollbars that
   * appear when the pane is larger than the box never change the fitted size.
   */
  mount(frame: HTMLElement, sizer: HTMLElement): void {
    this.unmount();
    this.frame = frame;
    this.sizer = sizer;
    this.view.attach(sizer);
    const observer = new ResizeObserver(() => {
      this.syncSizer();
      this.scheduleWish();
    });
    observer.observe(frame);
    this.mounted = toDisposable(() => {
      observer.disconnect();
      this.frame = this.sizer = undefined;
    });
  }

  unmount(): void {
    this.mounted?.dispose();
    this.mounted = undefined;
  }

  /** The size that fits the container now; undefined when hidden, zero-size or too small. */
  measure(): { cols: number; rows: number } | undefined {
    const frame = this.frame;
    if (!frame || !frame.isConnected || frame.offsetWidth === 0 || frame.offsetHeight === 0) return undefined;
    this.syncSizer();
    return this.view.proposeSize();
  }

  private syncSizer(): void {
    if (!this.frame || !this.sizer) return;
    this.sizer.style.width = `${this.frame.offsetWidth}px`;
    this.sizer.style.height = `${this.frame.offsetHeight}px`;
  }

  setActive(active: boolean): void {
    if (this.active === active) return;
    this.active = active;
    if (active) {
      this.view.refresh();
      this.scheduleWish();
    }
  }

  focus(): void {
    this.view.focus();
  }

  /** "Fit to this window" (or typing): this tab takes the size and asks for what fits now. */
  claimSize(): void {
    this.sizing.value = true;
    this.scheduleWish();
  }

  private scheduleWish(): void {
    this.wishTimer.value = timeout(() => {
      this.wishTimer.clear();
      this.sendWish();
    }, WISH_DEBOUNCE_MS);
  }

  /** The sizing policy's client half: ask only when visible, active, measurable and different. */
  private sendWish(): void {
    const proposed = this.measure();
    this.fitted.value = proposed;
    if (!proposed || !this.active || !this.sizing.value || document.visibilityState !== 'visible') return;
    const connection = this.connection;
    if (connection.mode !== 'control' || connection.state.value !== 'live' || connection.exit.value) return;
    const size = connection.size.value;
    if (size && size.cols === proposed.cols && size.rows === proposed.rows) return;
    connection.requestResize(proposed.cols, proposed.rows);
  }
}
