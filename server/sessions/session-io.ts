import { KEY_NAME_HINT, isTmuxKeyName } from '../../schemas/keys.ts';
import { ApiError } from '../../base/errors.ts';
import { ruleIssue } from '../../schemas/rule.ts';
import { resizeWindowCommands } from '../../tmux/panes.ts';
import type { SessionEndpoint } from '../../tmux/stream-source.ts';
import type { InputAuditor, InputOrigin } from './input-audit.ts';
import { PaneInput } from './pane-input.ts';
import type { SessionRegistry } from './session-registry.ts';

export interface SizeResult {
  readonly applied: boolean;
  readonly cols: number;
  readonly rows: number;
  readonly reason?: string;
}

const UNKNOWN_ORIGIN: InputOrigin = { source: 'ws', client: null };

/**
 * Input to the panes of one server and their size. This is the one way input
 * reaches a pane of this server — API send/keys, terminal WebSockets, the agent
 * engine's `send_keys` actions (`writeToPane`) and executions: each pane's input
 * is delivered in the order it arrived, and each is audited with its source.
 */
export class SessionIO {
  private readonly input: PaneInput;

  constructor(
    private readonly tmux: SessionEndpoint,
    private readonly registry: SessionRegistry,
    runDir: string,
    private readonly auditor?: InputAuditor,
  ) {
    this.input = new PaneInput(tmux.control, runDir, tmux.loadBuffer?.bind(tmux));
  }

  /** Raw terminal input. */
  async write(key: string, bytes: Uint8Array, origin: InputOrigin = UNKNOWN_ORIGIN): Promise<void> {
    const session = this.registry.writable(key);
    session.lastActivity = Date.now();
    const audited = this.auditor?.record(key, bytes, origin);
    await Promise.all([this.input.writeBytes(session.pane.paneId, bytes, session.pane.inMode), audited]);
  }

  /**
   * Input addressed by pane (the agent engine watches panes, not sessions):
   * through the same per-pane queue and audit as `write`. A pane that is not a
   * session (the bridge's own) is audited under `pane:<id>`.
   */
  async writeToPane(paneId: string, bytes: Uint8Array, origin: InputOrigin): Promise<void> {
    const key = this.registry.keyOfPane(paneId);
    if (key) return this.write(key, bytes, origin);
    const pane = this.tmux.monitor.get(paneId);
    if (!pane) throw new ApiError(404, 'pane_not_found', `pane ${paneId} does not exist on this tmux server`);
    const audited = this.auditor?.record(`pane:${paneId}`, bytes, origin);
    await Promise.all([this.input.writeBytes(paneId, bytes, pane.inMode), audited]);
  }

  async send(key: string, text: string, appendNewline = true, origin: InputOrigin = UNKNOWN_ORIGIN): Promise<void> {
    await this.write(key, Buffer.from(appendNewline ? `${text}\r` : text, 'utf8'), origin);
  }

  async keys(key: string, keys: readonly string[], origin: InputOrigin = UNKNOWN_ORIGIN): Promise<void> {
    const bad = keys.findIndex((k) => !isTmuxKeyName(k));
    if (bad >= 0) throw new ApiError(400, 'invalid_key', `keys.${bad}: "${keys[bad]}" is not ${KEY_NAME_HINT}`, [ruleIssue('key_name', ['keys', bad], `"${keys[bad]}" is not ${KEY_NAME_HINT}`)]);
    const session = this.registry.writable(key);
    session.lastActivity = Date.now();
    const audited = this.auditor?.record(key, `keys: ${keys.join(' ')}`, origin);
    await Promise.all([this.input.writeKeys(session.pane.paneId, keys, session.pane.inMode), audited]);
  }

  /** Sets the pane's size (an explicit request: always applied). */
  async resize(key: string, cols: number, rows: number): Promise<SizeResult> {
    const { pane } = this.registry.liveOrThrow(key);
    const commands =
      pane.windowPanes > 1
        ? [['resize-pane', '-t', pane.paneId, '-x', String(cols), '-y', String(rows)]]
        : resizeWindowCommands(pane.windowId, cols, rows);
    await this.tmux.control.runList(commands);
    await this.tmux.monitor.refresh();
    const now = this.registry.liveSession(key)?.pane ?? pane;
    return { applied: true, cols: now.width, rows: now.height };
  }

  /**
   * A browser viewer's wish. Sizing policy: while a native client is attached
   * to the session, the pane keeps the native size and browsers follow it;
   * otherwise the last browser that asks sets it. Hidden or zero-size tabs
   * never ask (the client sends nothing then) and tiny sizes are refused.
   */
  async requestViewerSize(key: string, cols: number, rows: number): Promise<SizeResult> {
    const { pane } = this.registry.liveOrThrow(key);
    if (this.registry.nativeClients(pane) > 0) {
      return { applied: false, cols: pane.width, rows: pane.height, reason: 'a native tmux client is attached; its size wins' };
    }
    if (pane.dead) return { applied: false, cols: pane.width, rows: pane.height, reason: 'the program has exited' };
    if (pane.width === cols && pane.height === rows) return { applied: true, cols, rows };
    return this.resize(key, cols, rows);
  }
}
