import { Component } from 'preact';
import { useState } from 'preact/hooks';
import type { BridgeEvent, EventType } from '../../../schemas/index.ts';
import { payloadOf, readEventApproval, readStageUpdate } from '../../services/event-readers.ts';
import { stageLabel } from './StageBadge.tsx';
import { t, type MessageKey } from '../../i18n/index.ts';
import { At } from './Time.tsx';
import { duration } from '../../i18n/format.ts';
import { reasonText } from '../../services/stage-reason.ts';
import { notificationText } from '../../services/notification-text.ts';
import { configErrorText } from '../../services/config-issue.ts';

// Every event type has a name in the catalogs; an unknown one (a newer server) shows as written.
const LABELLED = new Set<string>([
  'STAGE_UPDATED', 'STAGE_ACTIONS', 'APPROVAL_REQUESTED', 'APPROVAL_DECIDED', 'NOTIFICATION', 'CONFIG_RELOADED', 'CONFIG_ERROR',
  'CLI_SESSION_CREATED', 'CLI_SESSION_UPDATED', 'CLI_SESSION_CLOSED', 'CLI_SESSION_REMOVED', 'CLI_SESSION_ERROR', 'STREAM_GAP', 'ISSUE_UPDATED', 'QUEUE_UPDATED',
  'EXECUTION_UPDATED', 'PANE_TAIL', 'CLI_EXECUTION_STARTED', 'CLI_OUTPUT', 'CLI_EXECUTION_COMPLETED', 'FLOW_RUN_UPDATED', 'HOST_STATUS', 'TMUX_STATUS',
] satisfies EventType[]);

export function typeLabel(type: string): string {
  return LABELLED.has(type) ? t(`event.${type}` as MessageKey) : type.toLowerCase().replace(/_/g, ' ');
}

const where = (pipeline: string, stage: string, host: string, pane: string) => t('event.where', { pipeline, stage, host, pane });


/** Stored rows keep the shape of the build that wrote them: the fields an older one used are read loosely. */
const loose = (event: BridgeEvent): Readonly<Record<string, unknown>> => event;

/** One line a person can read for each kind of event. */
export function describe(event: BridgeEvent): string {
  switch (event.type) {
    case 'STAGE_UPDATED': {
      const u = readStageUpdate(event);
      if (!u) break;
      const change = u.from && u.from !== u.status ? `${stageLabel(u.from)} → ${stageLabel(u.status)}` : stageLabel(u.status);
      const why = u.transition ? reasonText(u.transitionWhy) : reasonText(u.view ?? { reason: u.reason });
      return `${where(u.pipeline, u.stage, u.host, u.paneId)}: ${change}${u.retries > 0 ? t('event.retry', { n: u.retries }) : ''}${u.escalateCode && u.status === 'FAILED' ? ` [${u.escalateCode}]` : ''}${why ? ` — ${why}` : ''}`;
    }
    case 'STAGE_ACTIONS': {
      const p = payloadOf(event, 'STAGE_ACTIONS');
      if (!p) break;
      const what = p.outcomes
        .map((o) => `${o.kind === 'shell' ? '$ ' : t('event.keys')}${o.command}${o.ok === false ? (o.error ? t('event.failedWhy', { error: o.error }) : t('event.failed')) : ''}`)
        .join('; ');
      const at = where(p.pipeline, p.stage, p.host, p.paneId);
      return `${t('event.ran', { where: at, what: what || t('event.noActions') })} (${t(`event.cause.${p.cause}`)})`;
    }
    case 'APPROVAL_REQUESTED':
    case 'APPROVAL_DECIDED': {
      const a = readEventApproval(event);
      if (!a) break;
      const at = where(a.pipeline, a.stage, a.host, a.paneId);
      if (event.type === 'APPROVAL_REQUESTED') return a.prompt ? t('event.waitsPrompt', { where: at, prompt: a.prompt }) : t('event.waits', { where: at });
      const via = a.decidedVia ? t('event.via', { via: t(`reason.via.${a.decidedVia}`) }) : '';
      return `${t('event.decided', { where: at, decision: t(`decision.${a.status}` as MessageKey) })}${via}${a.decidedBy ? t('event.by', { who: a.decidedBy }) : ''}${a.note ? ` — “${a.note}”` : ''}`;
    }
    case 'NOTIFICATION': {
      const n = payloadOf(event, 'NOTIFICATION')?.notification;
      if (!n) return t('event.NOTIFICATION');
      const text = notificationText(n);
      const body = text.body.split('\n')[0];
      return `${text.title}${body ? ` — ${body}` : ''}`;
    }
    case 'CONFIG_RELOADED':
      return typeLabel(event.type);
    case 'CONFIG_ERROR': {
      const payload = payloadOf(event, 'CONFIG_ERROR');
      const message = payload ? configErrorText(payload) : '';
      return message ? `${typeLabel(event.type)}: ${message}` : typeLabel(event.type);
    }
    case 'CLI_SESSION_CREATED':
    case 'CLI_SESSION_UPDATED':
      return payloadOf(event, event.type)?.session.name ?? '';
    case 'CLI_SESSION_CLOSED': {
      const p = payloadOf(event, 'CLI_SESSION_CLOSED');
      return p ? `${p.sessionKey}${p.exitCode !== null ? t('event.exit', { code: p.exitCode }) : ''}` : '';
    }
    case 'CLI_SESSION_REMOVED':
      return payloadOf(event, 'CLI_SESSION_REMOVED')?.sessionKeys.join(', ') ?? '';
    case 'CLI_SESSION_ERROR': {
      const p = payloadOf(event, 'CLI_SESSION_ERROR');
      if (!p) return '';
      const key = `event.sessionError.${p.code ?? ''}` as MessageKey;
      const worded = p.code ? t(key, p.params) : key;
      // No code, or one this client has no words for: the server's own words.
      return `${p.sessionKey ?? p.name ?? ''}: ${worded === key ? p.message : worded}`;
    }
    case 'STREAM_GAP': {
      const p = payloadOf(event, 'STREAM_GAP');
      if (!p) break;
      const params = { host: p.host, pane: p.paneId, n: p.lines, duration: duration(p.downMs) };
      return t(p.beyondHistory ? 'event.gapBeyond' : 'event.gap', params);
    }
  }
  return '';
}

/** Of interest at a glance: failures and errors stand out. */
function tone(event: BridgeEvent): string {
  if (event.type === 'CONFIG_ERROR' || event.type === 'CLI_SESSION_ERROR') return 'bad';
  if (payloadOf(event, 'STAGE_ACTIONS')?.outcomes.some((o) => !o.ok)) return 'bad';
  const stage = payloadOf(event, 'STAGE_UPDATED')?.status;
  if (stage === 'FAILED') return 'bad';
  if (event.type === 'APPROVAL_REQUESTED' || event.type === 'STREAM_GAP' || stage === 'WAITING_APPROVAL') return 'warn';
  if (stage === 'COMPLETED') return 'good';
  return '';
}

/** The host an event is about, for a row that has nothing better to say (where the types keep it: schemas EVENT_SUBJECT_PATHS). */
function eventHost(event: BridgeEvent): string {
  return (
    payloadOf(event, 'STAGE_UPDATED')?.host ??
    payloadOf(event, 'STAGE_ACTIONS')?.host ??
    readEventApproval(event)?.host ??
    payloadOf(event, 'NOTIFICATION')?.notification.payload.host ??
    payloadOf(event, 'PANE_TAIL')?.host ??
    payloadOf(event, 'HOST_STATUS')?.host ??
    payloadOf(event, 'STREAM_GAP')?.host ??
    ''
  );
}

/** A stored event as a row; the raw JSON is one click away. Rows never change, so they never re-render. */
export class EventRow extends Component<{ event: BridgeEvent }> {
  override shouldComponentUpdate(next: { event: BridgeEvent }): boolean {
    return next.event !== this.props.event;
  }

  override render() {
    const { event } = this.props;
    return (
      <li class={`event-row ${tone(event)}`} data-type={event.type} data-event-id={event.id}>
        <span class="event-time">
          <At iso={event.at} />
        </span>
        <span class="event-type">{typeLabel(event.type)}</span>
        <span class="event-text">
          {describe(event) || <span class="muted">{eventHost(event)}</span>}
          <RawDetails value={event} />
        </span>
      </li>
    );
  }
}

/** The raw JSON, rendered only once opened (a thousand rows stay light). */
function RawDetails({ value }: { value: unknown }) {
  const [open, setOpen] = useState(false);
  return (
    <details class="event-raw" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('event.details')}</summary>
      {open && <pre>{JSON.stringify(value, null, 2)}</pre>}
    </details>
  );
}
