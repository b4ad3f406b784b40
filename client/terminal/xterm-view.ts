import { effect } from '@preact/signals';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal, type ILocalizableStrings, type ITheme } from '@xterm/xterm';
import { copyText, readText } from '../lib/clipboard.ts';
import { Disposable, listen, toDisposable, type IDisposable } from '../lib/disposable.ts';
import { MIN_COLS, MIN_ROWS } from '../../schemas/session-view.ts';
import { parseOsc52 } from './osc52.ts';
import { changeFontSize, isLeaveKey, shortcutOf, terminalSettings } from './settings.ts';
import type { TerminalSink } from './terminal-connection.ts';
import { loadWebgl, type Renderer } from './webgl.ts';

/** What the view tells its owner, for a short note in the toolbar. */
export type ViewNotice = 'copied' | 'copyFailed' | 'pasteBlocked' | 'oscCopied' | 'oscBlocked';

export interface XtermViewOptions {
  readonly theme: ITheme;
  readonly readOnly: boolean;
  readonly onData: (data: string) => void;
  readonly onBinary: (data: string) => void;
  /** The user pressed the "leave the terminal" key (F6 unless changed): Tab itself goes to the program. */
  readonly onEscapeFocus: () => void;
  readonly onNotice?: (notice: ViewNotice) => void;
  /** A right click: open the terminal's menu at this point of the page. */
  readonly onContextMenu?: (x: number, y: number) => void;
  /** The find shortcut. */
  readonly onFind?: () => void;
  /** xterm's own words for screen readers (the input's label…), in the UI language. */
  readonly strings?: ILocalizableStrings;
}

/**
 * An xterm.js terminal as a TerminalSink. Its size is always the pane's size
 * (set by the server's hello and resize); `proposeSize` only measures what
 * would fit the container, for a size wish.
 *
 * Clipboard like a desktop terminal: copy on select, Ctrl+Shift+C / V (Cmd on
 * macOS), right click, OSC 52 from programs when the user allows it. Pastes go
 * through xterm, which brackets them when the program asked for it.
 */
export class XtermView extends Disposable implements TerminalSink {
  readonly term: Terminal;
  readonly search = new SearchAddon();
  private readonly fit = new FitAddon();
  private sizer: HTMLElement | undefined;
  private renderer: Renderer = 'dom';
  private webgl: IDisposable | undefined;
  /** The selection changed since the last mouse release (copy on select copies once, when the drag ends). */
  private selectionDirty = false;

  constructor(private readonly options: XtermViewOptions) {
    super();
    const settings = terminalSettings.value;
    // xterm keeps these on the class; it reads them when a terminal opens.
    if (options.strings) Object.assign(Terminal.strings, options.strings);
    this.term = new Terminal({
      cursorBlink: !options.readOnly,
      disableStdin: options.readOnly,
      fontFamily: '"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, "Liberation Mono", ui-monospace, monospace',
      fontSize: settings.fontSize,
      scrollback: 5000,
      theme: options.theme,
      // The server sends what tmux has: no local echo, no conversions.
      convertEol: false,
      // The Unicode 11 width tables (CJK, emoji) are a proposed API.
      allowProposedApi: true,
    });
    this.register(this.term);
    this.term.loadAddon(this.fit);
    this.term.loadAddon(this.search);
    this.term.loadAddon(new Unicode11Addon());
    this.term.unicode.activeVersion = '11';
    this.term.loadAddon(new WebLinksAddon());
    this.register(this.term.onData((data) => options.onData(data)));
    this.register(this.term.onBinary((data) => options.onBinary(data)));
    this.register(this.term.onSelectionChange(() => (this.selectionDirty = true)));
    this.register(this.term.parser.registerOscHandler(52, (data) => this.onOsc52(data)));
    this.term.attachCustomKeyEventHandler((event) => this.onKey(event));
    this.register(
      toDisposable(
        effect(() => {
          const size = terminalSettings.value.fontSize;
          if (this.term.options.fontSize !== size) this.term.options.fontSize = size;
        }),
      ),
    );
    this.register(toDisposable(() => this.webgl?.dispose()));
  }

  get isOpen(): boolean {
    return this.term.element !== undefined;
  }

  /** 'webgl' or 'dom': what draws the terminal now. */
  get activeRenderer(): Renderer {
    return this.renderer;
  }

  /** The terminal's own keys; everything else goes to the program. Returning false keeps a key from xterm. */
  private onKey(event: KeyboardEvent): boolean {
    if (isLeaveKey(event, terminalSettings.value.leaveKey)) {
      if (event.type === 'keydown') this.options.onEscapeFocus();
      return false;
    }
    const shortcut = shortcutOf(event);
    if (!shortcut) return true;
    if (event.type !== 'keydown') return false;
    if (shortcut === 'copy') {
      event.preventDefault();
      void this.copySelection();
    } else if (shortcut === 'find') {
      event.preventDefault();
      this.options.onFind?.();
    }
    // Paste: the browser's own paste (no permission prompt) lands in xterm's
    // textarea, and xterm sends it, bracketed when the program asked for that.
    return false;
  }

  /** Copies the selection; false when there is none or the browser refused. */
  async copySelection(): Promise<boolean> {
    const text = this.term.getSelection();
    if (!text) return false;
    const ok = await copyText(text);
    this.options.onNotice?.(ok ? 'copied' : 'copyFailed');
    if (ok) this.term.focus();
    return ok;
  }

  /** Pastes the clipboard (menu, right click): needs the async Clipboard API. */
  async pasteClipboard(): Promise<boolean> {
    const text = await readText();
    if (text === undefined) {
      this.options.onNotice?.('pasteBlocked');
      return false;
    }
    if (text) this.term.paste(text);
    this.term.focus();
    return true;
  }

  /** Copy on select: once per finished selection (mouse or touch released), never while dragging. */
  private onPointerUp(): void {
    if (!this.selectionDirty) return;
    this.selectionDirty = false;
    if (terminalSettings.value.copyOnSelect && this.term.hasSelection()) void this.copySelection();
  }

  private onOsc52(data: string): boolean {
    const request = parseOsc52(data);
    // Queries are swallowed unanswered: a program may not read the clipboard.
    if (request.kind !== 'set') return true;
    if (!terminalSettings.value.osc52) {
      this.options.onNotice?.('oscBlocked');
      return true;
    }
    void copyText(request.text).then((ok) => this.options.onNotice?.(ok ? 'oscCopied' : 'copyFailed'));
    return true;
  }

  /** Puts the terminal into `sizer` (opened the first time, moved afterwards). */
  attach(sizer: HTMLElement): void {
    this.sizer = sizer;
    const element = this.term.element;
    if (!element) {
      this.term.open(sizer);
      const opened = this.term.element!;
      this.register(toDisposable(() => opened.remove()));
      // After xterm's own mouseup handler, which is what reports the finished selection.
      const released = () => setTimeout(() => this.onPointerUp(), 0);
      this.register(listen(document, 'mouseup', released));
      this.register(listen(document, 'touchend', released));
      this.register(
        listen(opened, 'contextmenu', (event) => {
          const e = event as MouseEvent;
          // Shift+right click: the browser's own menu.
          if (e.shiftKey) return;
          e.preventDefault();
          if (terminalSettings.value.rightClick === 'paste') void this.pasteClipboard();
          else this.options.onContextMenu?.(e.clientX, e.clientY);
        }),
      );
      this.register(toDisposable(effect(() => this.useRenderer(terminalSettings.value.webgl))));
      this.registerPinch(opened);
    } else if (element.parentElement !== sizer) {
      sizer.appendChild(element);
      this.term.refresh(0, this.term.rows - 1);
    }
  }

  /**
   * Two fingers pinching on the terminal change the font size (kept like the A−/A+
   * buttons): one step each time the distance grows or shrinks by a sixth.
   */
  private registerPinch(element: HTMLElement): void {
    let base = 0;
    const distance = (e: TouchEvent) => {
      const [a, b] = [e.touches[0]!, e.touches[1]!];
      return Math.hypot(a.clientX - b.clientX, a.clientY - b.clientY);
    };
    this.register(
      listen(element, 'touchstart', (event) => {
        const e = event as TouchEvent;
        base = e.touches.length === 2 ? distance(e) : 0;
      }),
    );
    this.register(
      listen(element, 'touchmove', (event) => {
        const e = event as TouchEvent;
        if (e.touches.length !== 2 || base === 0) return;
        const ratio = distance(e) / base;
        if (ratio > 7 / 6 || ratio < 6 / 7) {
          changeFontSize(ratio > 1 ? 1 : -1);
          base = distance(e);
        }
      }),
    );
    this.register(listen(element, 'touchend', () => (base = 0)));
  }

  /** The WebGL renderer when wanted and the browser has a hardware one; else xterm's DOM renderer. */
  private useRenderer(wanted: boolean): void {
    if (!wanted) {
      this.webgl?.dispose();
      this.webgl = undefined;
      this.renderer = 'dom';
      return;
    }
    if (this.webgl) return;
    const pending = { disposed: false, dispose: () => (pending.disposed = true) };
    this.webgl = pending;
    void loadWebgl(this.term, () => {
      // Context lost (GPU reset, too many contexts): back to the DOM renderer.
      this.renderer = 'dom';
      this.webgl = undefined;
    }).then((addon) => {
      if (this.webgl !== pending) return addon?.dispose();
      if (pending.disposed || !addon) {
        addon?.dispose();
        this.webgl = undefined;
        return;
      }
      this.webgl = addon;
      this.renderer = 'webgl';
    });
  }

  /** The size that fits the container, or undefined when it cannot be measured (hidden, zero-size, too small). */
  proposeSize(): { cols: number; rows: number } | undefined {
    const sizer = this.sizer;
    if (!sizer || !this.isOpen || !sizer.isConnected) return undefined;
    if (sizer.offsetWidth === 0 || sizer.offsetHeight === 0) return undefined;
    const dims = this.fit.proposeDimensions();
    if (!dims || !Number.isFinite(dims.cols) || !Number.isFinite(dims.rows)) return undefined;
    if (dims.cols < MIN_COLS || dims.rows < MIN_ROWS) return undefined;
    return { cols: Math.min(dims.cols, 1000), rows: Math.min(dims.rows, 500) };
  }

  setTheme(theme: ITheme): void {
    this.term.options.theme = theme;
  }

  focus(): void {
    this.term.focus();
  }

  /** Redraws after the terminal was hidden. */
  refresh(): void {
    if (this.isOpen) this.term.refresh(0, this.term.rows - 1);
  }

  // TerminalSink: size changes and resets are queued behind earlier writes, so
  // bytes drawn for the old screen never land on the new one.

  reset(cols: number, rows: number): void {
    this.term.write('', () => {
      this.term.reset();
      if (this.term.cols !== cols || this.term.rows !== rows) this.term.resize(cols, rows);
    });
  }

  resize(cols: number, rows: number): void {
    this.term.write('', () => {
      if (this.term.cols !== cols || this.term.rows !== rows) this.term.resize(cols, rows);
    });
  }

  write(data: Uint8Array, done: () => void): void {
    this.term.write(data, done);
  }
}
