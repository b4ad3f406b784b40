import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import { Disposable, toDisposable } from '../lib/disposable.ts';
import type { TerminalSink } from './terminal-connection.ts';

export interface XtermViewOptions {
  readonly theme: ITheme;
  readonly readOnly: boolean;
  readonly onData: (data: string) => void;
  readonly onBinary: (data: string) => void;
  /** The user pressed the "leave the terminal" key (F6): Tab itself goes to the program. */
  readonly onEscapeFocus: () => void;
}

/** The smallest size the server accepts for a pane (schemas: TerminalCols/TerminalRows). */
export const MIN_COLS = 10;
export const MIN_ROWS = 3;

/**
 * An xterm.js terminal as a TerminalSink. Its size is always the pane's size
 * (set by the server's hello and resize); `proposeSize` only measures what
 * would fit the container, for a size wish.
 */
export class XtermView extends Disposable implements TerminalSink {
  readonly term: Terminal;
  private readonly fit = new FitAddon();
  private sizer: HTMLElement | undefined;

  constructor(options: XtermViewOptions) {
    super();
    this.term = new Terminal({
      cursorBlink: !options.readOnly,
      disableStdin: options.readOnly,
      fontFamily: '"DejaVu Sans Mono", "Cascadia Mono", Menlo, Consolas, "Liberation Mono", ui-monospace, monospace',
      fontSize: 13,
      scrollback: 5000,
      theme: options.theme,
      // The server sends what tmux has: no local echo, no conversions.
      convertEol: false,
    });
    this.register(this.term);
    this.term.loadAddon(this.fit);
    this.register(this.term.onData((data) => options.onData(data)));
    this.register(this.term.onBinary((data) => options.onBinary(data)));
    this.term.attachCustomKeyEventHandler((event) => {
      if (event.key === 'F6' && !event.ctrlKey && !event.altKey && !event.metaKey && !event.shiftKey) {
        if (event.type === 'keydown') options.onEscapeFocus();
        return false;
      }
      return true;
    });
  }

  get isOpen(): boolean {
    return this.term.element !== undefined;
  }

  /** Puts the terminal into `sizer` (opened the first time, moved afterwards). */
  attach(sizer: HTMLElement): void {
    this.sizer = sizer;
    const element = this.term.element;
    if (!element) {
      this.term.open(sizer);
      this.register(toDisposable(() => this.term.element?.remove()));
    } else if (element.parentElement !== sizer) {
      sizer.appendChild(element);
      this.term.refresh(0, this.term.rows - 1);
    }
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
