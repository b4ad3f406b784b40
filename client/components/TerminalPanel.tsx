import type { HostView } from '../../schemas/index.ts';
import { hostStateText } from './HostState.tsx';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { plural, t } from '../i18n/index.ts';
import { duration } from '../i18n/format.ts';
import type { CliSession } from '../../schemas/index.ts';
import { terminalCloseCode } from '../../schemas/terminal-view.ts';
import { useServices } from '../services/index.ts';
import type { TerminalTab } from '../terminal/terminal-tab.ts';
import { AttachCommand } from './AttachCommand.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { ConnectionState } from './ConnectionState.tsx';
import { RunningChip } from './executions/RunningChip.tsx';
import { SessionExecutions } from './executions/SessionExecutions.tsx';
import { RouteToSessionDialog } from './flows/RouteToSession.tsx';
import { RenameSessionDialog } from './RenameSessionDialog.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { ExecutionStart } from './term/ExecutionStart.tsx';
import { ExtraKeys } from './term/ExtraKeys.tsx';
import { FindBar } from './term/FindBar.tsx';
import { TerminalMenu } from './term/TerminalMenu.tsx';
import { ToolbarMore, type MoreItem } from './term/ToolbarMore.tsx';
import { copyText } from '../lib/clipboard.ts';
import { shortcutLabel } from '../terminal/settings.ts';
import { keysHelpOpen, settingsOpen } from '../terminal/ui-state.ts';
import type { ViewNotice } from '../terminal/xterm-view.ts';
import type { MessageKey } from '../i18n/index.ts';
import { hostReasonText } from '../services/host-reason.ts';
import { closeReasonText } from '../services/terminal-words.ts';

const NOTICES: Record<ViewNotice, MessageKey> = {
  copied: 'notice.copied',
  copyFailed: 'notice.copyFailed',
  pasteBlocked: 'notice.pasteBlocked',
  oscCopied: 'notice.oscCopied',
  oscBlocked: 'notice.oscBlocked',
};

interface Props {
  readonly tab: TerminalTab;
  readonly active: boolean;
  readonly onCloseTab: () => void;
  /** Show the Executions toggle and panel (the terminal page; the issue drawer has its own). */
  readonly withExecutions?: boolean;
}

/** One terminal: toolbar (state, size, attach command, close), the xterm, and what happened to the session. */
type HostState = HostView['state'];

export function TerminalPanel({ tab, active, onCloseTab, withExecutions = false }: Props) {
  const { sessions, api, executions } = useServices();
  const [showRuns, setShowRuns] = useState(false);
  const frame = useRef<HTMLDivElement>(null);
  const sizer = useRef<HTMLDivElement>(null);
  const [confirming, setConfirming] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [routing, setRouting] = useState(false);
  const connection = tab.connection;
  const session = sessions.byKey.value.get(tab.sessionKey);
  const state = connection.state.value;
  const exit = connection.exit.value;
  const size = connection.size.value;
  const fitted = tab.fitted.value;
  const sizing = tab.sizing.value;
  const closed = state === 'closed' || session?.status === 'closed';
  const notice = tab.notice.value;
  const hostDown = connection.host.value;
  const gap = connection.gap.value;
  const menu = tab.menu.value;

  useLayoutEffect(() => {
    tab.mount(frame.current!, sizer.current!);
    return () => tab.unmount();
  }, [tab]);

  useEffect(() => {
    if (active) tab.focus();
  }, [active, tab]);

  // A resize from the server may mean a native client attached or left: refresh the list's view of it.
  useEffect(() => {
    const sub = connection.onServerResize(() => void sessions.refresh());
    return () => sub.dispose();
  }, [connection]);

  const name = session?.name ?? tab.sessionKey;
  // The socket's exit message may come before tmux has the code; the list may know it by now.
  const exitCode = exit ? (exit.code ?? session?.exitCode ?? null) : null;
  const status: Pick<CliSession, 'status' | 'exitCode'> | undefined = closed
    ? { status: 'closed', exitCode: session?.exitCode ?? exit?.code ?? null }
    : exit
      ? { status: 'exited', exitCode }
      : session;
  const native = (session?.nativeClients ?? 0) > 0 && !closed;
  const running = withExecutions ? executions.runningBySession.value.get(tab.sessionKey) : undefined;

  const copyAttach = async (command: string) => tab.showNotice((await copyText(command)) ? 'copied' : 'copyFailed');
  const moreItems: MoreItem[] = [
    // On a narrow toolbar, what the wide one shows on its row.
    ...(session && !closed ? [{ label: t('attach.copyLabel'), narrowOnly: true, testId: 'more-copy-attach', onSelect: () => void copyAttach(session.attachCommand) }] : []),
    ...(withExecutions ? [{ label: t('executions.toggle'), narrowOnly: true, testId: 'more-executions', onSelect: () => setShowRuns(!showRuns) }] : []),
    { label: `${t('tools.find')} (${shortcutLabel('find')})`, narrowOnly: true, testId: 'more-find', onSelect: () => (tab.searching.value = !tab.searching.value) },
    // Route to session: text through the execute path, tracked to its end (docs/workbench.md).
    ...(!closed ? [{ label: t('flows.routeButton'), testId: 'route-to-session', onSelect: () => setRouting(true) }] : []),
    ...(!closed ? [{ label: t('term.rename'), testId: 'rename-session', onSelect: () => setRenaming(true) }] : []),
    { label: t('tools.settings'), testId: 'settings-button', onSelect: () => (settingsOpen.value = true) },
    { label: t('tools.keys'), testId: 'keys-button', onSelect: () => (keysHelpOpen.value = true) },
    ...(!closed ? [{ label: t('term.closeSession'), narrowOnly: true, danger: true, testId: 'more-close-session', onSelect: () => setConfirming(true) }] : []),
  ];

  return (
    <section class={`terminal-panel${closed ? ' is-closed' : ''}`} hidden={!active} aria-label={t('term.label', { name })} data-session-key={tab.sessionKey}>
      {/* One row at any width: the name gives way (ellipsis), the rest is in "More" (ToolbarMore). */}
      <div class="terminal-toolbar">
        <div class="terminal-title">
          <h2 class="terminal-name" title={name}>
            {name}
          </h2>
          {status && <StatusBadge session={status} />}
          <ConnectionState tab={tab} />
          {size && (
            <span
              class={`size${sizing ? ' size-here' : ''}`}
              data-testid="terminal-size"
              data-owner={native ? 'native' : sizing ? 'this' : 'other'}
              title={`${fitted ? t('term.sizeFits', fitted) : t('term.sizeTitle')} — ${native ? t('term.nativeSized', size) : sizing ? t('term.sizedHere') : t('term.sizedElsewhere')}`}
            >
              {size.cols}×{size.rows}
            </span>
          )}
          {size && !closed && !native && !sizing && (
            <button type="button" class="small" data-testid="fit-button" aria-label={t('term.fitLabel')} title={t('term.sizedElsewhere')} onClick={() => tab.claimSize()}>
              {t('term.fit')}
            </button>
          )}
        </div>
        <div class="terminal-actions">
          {notice && (
            <span class={`term-notice${notice === 'copyFailed' || notice === 'pasteBlocked' || notice === 'oscBlocked' ? ' is-warn' : ''}`} role="status" data-testid="terminal-notice" data-notice={notice}>
              {t(NOTICES[notice], { paste: shortcutLabel('paste') })}
            </span>
          )}
          {session && !closed && <AttachCommand command={session.attachCommand} class="wide-only" />}
          {running && <RunningChip run={running} onClick={() => setShowRuns(true)} />}
          {withExecutions && (
            <button type="button" class={`small wide-only${showRuns ? ' pressed' : ''}`} aria-expanded={showRuns} aria-controls={`exec-panel-${tab.sessionKey}`} onClick={() => setShowRuns(!showRuns)} data-testid="executions-toggle">
              {t('executions.toggle')}
            </button>
          )}
          <button type="button" class="small icon wide-only" aria-label={t('tools.find')} title={`${t('tools.find')} (${shortcutLabel('find')})`} data-testid="find-button" onClick={() => (tab.searching.value = !tab.searching.value)}>
            ⌕
          </button>
          {closed ? (
            <button type="button" class="small" onClick={onCloseTab}>
              {t('term.closeTab')}
            </button>
          ) : (
            <button type="button" class="small danger wide-only" onClick={() => setConfirming(true)}>
              {t('term.closeSession')}
            </button>
          )}
          <ToolbarMore items={moreItems} />
        </div>
      </div>
      {native && size && (
        <p class="terminal-hint" data-testid="native-size-hint">
          {t('term.nativeSized', size)}
        </p>
      )}
      {renaming && <RenameSessionDialog sessionKey={tab.sessionKey} name={name} onClose={() => setRenaming(false)} />}
      {routing && <RouteToSessionDialog sessionKey={tab.sessionKey} onClose={() => setRouting(false)} />}
      {tab.searching.value && <FindBar tab={tab} />}
      <ExecutionStart tab={tab} />
      <div class="term-frame" ref={frame} onClick={() => tab.focus()}>
        <div class="term-sizer" ref={sizer} />
      </div>
      {!closed && connection.mode === 'control' && <ExtraKeys tab={tab} />}
      {withExecutions && showRuns && (
        <div class="exec-panel" id={`exec-panel-${tab.sessionKey}`}>
          <SessionExecutions sessionKey={tab.sessionKey} sessionTool={session?.tool} closed={closed} />
        </div>
      )}
      {menu && <TerminalMenu tab={tab} at={menu} />}
      {!closed && hostDown && (
        <div class="terminal-banner banner-warn" role="status" data-testid="host-banner" data-host-state={hostDown.state}>
          <span>
            {hostDown.reason
              ? t('term.hostDown', { host: hostDown.host, state: hostStateText(hostDown.state as HostState), reason: hostReasonText(hostDown.reason) ?? hostDown.reason })
              : t('term.hostDownShort', { host: hostDown.host, state: hostStateText(hostDown.state as HostState) })}
          </span>
        </div>
      )}
      {!closed && gap && (
        <div class="terminal-banner banner-info" role="status" data-testid="gap-banner" data-lines={gap.lines}>
          <span>{plural(gap.beyondHistory ? 'term.gapBeyond' : 'term.gap', gap.lines, { host: gap.host, duration: duration(gap.downMs) })}</span>
          <button type="button" class="small" onClick={() => (connection.gap.value = undefined)}>
            {t('term.dismiss')}
          </button>
        </div>
      )}
      {state === 'reconnecting' && (
        <div class="terminal-banner banner-warn" role="status">
          <span>{t('term.reconnecting')}</span>
          <button type="button" class="small" onClick={() => connection.retryNow()}>
            {t('term.retryNow')}
          </button>
        </div>
      )}
      {!closed && exit && (
        <div class="terminal-banner banner-info" role="status" data-testid="exit-banner">
          <span>{exitCode !== null ? t('term.exitedCode', { code: exitCode }) : t('term.exited')}</span>
        </div>
      )}
      {closed && connection.hostDropped.value && (
        <div class="terminal-banner banner-closed" role="status" data-testid="host-dropped-banner">
          <span>{t('term.hostDropped', { reason: closeReasonText(connection.hostDropped.value) })}</span>
        </div>
      )}
      {closed && !connection.hostDropped.value && (
        <div class="terminal-banner banner-closed" role="status" data-testid="closed-banner">
          <span>
            {connection.closedReason.value && terminalCloseCode(connection.closedReason.value)?.code !== 'session_closed'
              ? t('term.closedWhy', { reason: closeReasonText(connection.closedReason.value) })
              : t('term.closed')}
          </span>
        </div>
      )}
      {connection.lastError.value && state === 'live' && (
        <div class="terminal-banner banner-warn" role="alert">
          <span>{connection.lastError.value}</span>
          <button type="button" class="small" onClick={() => (connection.lastError.value = undefined)}>
            {t('term.dismiss')}
          </button>
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          title={t('term.confirmClose', { name })}
          confirmLabel={t('term.closeSession')}
          danger
          onCancel={() => setConfirming(false)}
          onConfirm={async () => {
            const updated = await api.closeSession(tab.sessionKey);
            sessions.upsert(updated);
            connection.markClosed('the session is closed');
            setConfirming(false);
          }}
        >
          <p>{native ? t('term.confirmCloseNative') : t('term.confirmCloseText')}</p>
        </ConfirmDialog>
      )}
    </section>
  );
}

