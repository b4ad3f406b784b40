import { signal } from '@preact/signals';
import type { BridgeEvent } from '../../schemas/index.ts';
import { t } from '../i18n/index.ts';
import { withBase } from '../lib/base-path.ts';
import { Disposable } from '../lib/disposable.ts';
import { readEventApproval, readStageUpdate } from './event-readers.ts';
import { reasonText } from './stage-reason.ts';
import type { EventFeed } from './events.ts';

const STORAGE_KEY = 'tb.notify';
/**
 * Events older than this (by the event's own time) are replays of a long gap (a
 * reconnect resumes the feed): no notification for them. Generous, so a skewed clock
 * between server and browser does not swallow fresh ones.
 */
const FRESH_MS = 10 * 60_000;

export interface DesktopNote {
  readonly title: string;
  readonly body: string;
  /** One notification per thing: a repeat with the same tag replaces it. */
  readonly tag: string;
  /** Where a click on it leads. */
  readonly path: string;
}

/** The notification an event deserves, if any: an approval requested, or a stage that failed. */
export function noteFor(event: BridgeEvent, now: number): DesktopNote | undefined {
  if (now - Date.parse(event.at) > FRESH_MS) return undefined;
  if (event.type === 'APPROVAL_REQUESTED') {
    const approval = readEventApproval(event);
    if (!approval || approval.status !== 'pending') return undefined;
    return {
      title: t('notify.approval', { pipeline: approval.pipeline }),
      body: approval.prompt ?? t('notify.approvalBody', { stage: approval.stage, host: approval.host }),
      tag: `approval-${approval.id}`,
      path: '/approvals',
    };
  }
  if (event.type === 'STAGE_UPDATED') {
    const u = readStageUpdate(event);
    if (!u || u.status !== 'FAILED' || u.from === 'FAILED') return undefined;
    return {
      title: t('notify.failed', { pipeline: u.pipeline, stage: u.stage }),
      body: u.reason ? reasonText(u.view ?? { reason: u.reason }) : t('notify.failedBody', { host: u.host }),
      tag: `failed-${u.host}-${u.paneId}-${u.pipeline}-${u.stage}-${u.at}`,
      path: '/pipelines',
    };
  }
  return undefined;
}

export type NotifyState = 'unsupported' | 'off' | 'on' | 'denied';

/**
 * Browser notifications for what needs a human (approvals, failed stages), when
 * the user turned them on and the page is not in front of them. Off until asked:
 * the permission prompt comes from a click, never on its own.
 */
export class DesktopNotifier extends Disposable {
  readonly state = signal<NotifyState>(this.initial());

  constructor(
    feed: EventFeed,
    private readonly navigate: (path: string) => void,
  ) {
    super();
    this.register(feed.onEvent((event) => this.onEvent(event)));
  }

  private initial(): NotifyState {
    if (typeof Notification === 'undefined') return 'unsupported';
    if (Notification.permission === 'denied') return 'denied';
    let wanted = false;
    try {
      wanted = localStorage.getItem(STORAGE_KEY) === 'on';
    } catch {
      // storage disabled
    }
    return wanted && Notification.permission === 'granted' ? 'on' : 'off';
  }

  async enable(): Promise<void> {
    if (typeof Notification === 'undefined') return;
    const permission = await Notification.requestPermission();
    this.state.value = permission === 'granted' ? 'on' : permission === 'denied' ? 'denied' : 'off';
    this.remember(this.state.value === 'on');
  }

  disable(): void {
    if (this.state.value === 'on') this.state.value = 'off';
    this.remember(false);
  }

  private remember(on: boolean): void {
    try {
      if (on) localStorage.setItem(STORAGE_KEY, 'on');
      else localStorage.removeItem(STORAGE_KEY);
    } catch {
      // storage disabled: lasts for this page
    }
  }

  private onEvent(event: BridgeEvent): void {
    if (this.state.value !== 'on') return;
    // The page is in front of the user: the board already shows it.
    if (document.visibilityState === 'visible' && document.hasFocus()) return;
    const note = noteFor(event, Date.now());
    if (!note) return;
    try {
      const shown = new Notification(note.title, { body: note.body, tag: note.tag, icon: withBase('/icons/icon-192.png') });
      shown.onclick = () => {
        window.focus();
        this.navigate(note.path);
        shown.close();
      };
    } catch {
      // Android Chrome allows notifications only from a service worker: the badge stays the signal there.
    }
  }
}
