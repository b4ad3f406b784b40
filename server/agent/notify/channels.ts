/**
 * Notification channels: stdout, ServerChan, WeCom group bot, generic JSON webhook.
 *
 * A channel's `send` resolves when the endpoint accepted the message and throws a
 * `ChannelError` otherwise (saying whether trying again could help); retries,
 * timeouts and recording live in the Notifier. Secrets come from the environment;
 * every endpoint can be pointed elsewhere (env first, then hosts.yaml `bridge:`).
 */
import type { BridgeExtensions, NotifyChannelName } from '../../../schemas/agent-config.ts';
import type { NotificationKind, NotificationText } from '../../../schemas/agent.ts';
import { errorMessage } from '../../../base/errors.ts';

export interface Notification {
  readonly title: string;
  readonly body: string;
  readonly kind: NotificationKind;
  readonly host?: string | null;
  readonly paneId?: string | null;
  readonly pipeline?: string | null;
  readonly stage?: string | null;
  /** e.g. {approve, reject} links of an approval. */
  readonly links?: Readonly<Record<string, string>>;
  /** The text as a code, for the board (recorded, never sent: channels send title and body). */
  readonly text?: NotificationText;
  /**
   * What the channels send instead of title and body: the engine's text in another
   * language (bridge.notify_language). The record keeps title and body (the board words
   * the code in its own language; API users read the English).
   */
  readonly sent?: { readonly title: string; readonly body: string };
}

/** A notification as sent: with its time. */
export interface OutgoingNotification extends Notification {
  readonly at: string;
}

export interface NotificationChannel {
  readonly name: string;
  send(notification: OutgoingNotification, signal: AbortSignal): Promise<{ readonly httpStatus: number | null }>;
}

export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly httpStatus: number | null = null,
  ) {
    super(message);
  }
}

function linkLines(notification: Notification, markdown: boolean): string[] {
  const links = Object.entries(notification.links ?? {});
  if (links.length === 0) return [];
  if (markdown) return [links.map(([name, url]) => `[${name}](${url})`).join(' | ')];
  return links.map(([name, url]) => `${name}: ${url}`);
}

/** The body with the links appended, unless the body already carries them all. */
function fullBody(notification: Notification, markdown: boolean): string {
  const urls = Object.values(notification.links ?? {});
  if (urls.length === 0 || urls.every((url) => notification.body.includes(url))) return notification.body;
  return [notification.body, ...linkLines(notification, markdown)].filter((part) => part.length > 0).join('\n');
}

async function postJson(url: string, payload: unknown, signal: AbortSignal): Promise<{ status: number; json: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      signal,
    });
  } catch (error) {
    // fetch's own message is a bare "fetch failed"; its cause says why (refused, DNS, TLS).
    const reason = signal.aborted ? 'timed out' : errorMessage(error instanceof Error && error.cause instanceof Error ? error.cause : error);
    throw new ChannelError(`POST ${redact(url)} failed: ${reason}`, true);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    // Server errors, timeouts and rate limits may pass on a later try; other 4xx will not.
    const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new ChannelError(`POST ${redact(url)} answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`, retryable, response.status);
  }
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: response.status, json };
}

/** Keys live in the URL path/query of these services: never log them. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname.replace(/\/[^/]{16,}/g, '/…');
    return `${parsed.origin}${path}${parsed.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

export class StdoutChannel implements NotificationChannel {
  readonly name = 'stdout';
  constructor(private readonly write: (text: string) => void = (text) => void process.stdout.write(text)) {}

  async send(notification: OutgoingNotification): Promise<{ httpStatus: null }> {
    this.write(`[NOTIFY] ${notification.title}\n${fullBody(notification, false)}\n`);
    return { httpStatus: null };
  }
}

/** ServerChan: POST {title, desp} to {base}/{SENDKEY}.send; `code` ≠ 0 in the answer is a failure. */
export class ServerChanChannel implements NotificationChannel {
  readonly name = 'serverchan';
  constructor(
    private readonly key: string,
    private readonly baseUrl = 'https://sctapi.ftqq.com',
  ) {}

  async send(notification: OutgoingNotification, signal: AbortSignal): Promise<{ httpStatus: number }> {
    const url = `${this.baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(this.key)}.send`;
    const { status, json } = await postJson(url, { title: notification.title, desp: fullBody(notification, true) }, signal);
    const code = (json as { code?: unknown } | null)?.code;
    if (typeof code === 'number' && code !== 0) {
      throw new ChannelError(`ServerChan refused the message (code ${code}: ${String((json as { message?: unknown }).message ?? '')})`, false, status);
    }
    return { httpStatus: status };
  }
}

/** WeCom group bot: markdown message; `errcode` ≠ 0 in the answer is a failure. */
export class WeComChannel implements NotificationChannel {
  readonly name = 'wecom';
  constructor(private readonly webhookUrl: string) {}

  async send(notification: OutgoingNotification, signal: AbortSignal): Promise<{ httpStatus: number }> {
    const content = `**${notification.title}**\n\n${fullBody(notification, true)}`;
    const { status, json } = await postJson(this.webhookUrl, { msgtype: 'markdown', markdown: { content } }, signal);
    const errcode = (json as { errcode?: unknown } | null)?.errcode;
    if (typeof errcode === 'number' && errcode !== 0) {
      // 45009 is WeCom's rate limit: worth another try later.
      throw new ChannelError(`WeCom refused the message (errcode ${errcode}: ${String((json as { errmsg?: unknown }).errmsg ?? '')})`, errcode === 45009, status);
    }
    return { httpStatus: status };
  }
}

/** Generic JSON webhook: the notification's fields as one JSON object. */
export class WebhookChannel implements NotificationChannel {
  constructor(
    private readonly url: string,
    readonly name = 'webhook',
  ) {}

  async send(notification: OutgoingNotification, signal: AbortSignal): Promise<{ httpStatus: number }> {
    const { status } = await postJson(
      this.url,
      {
        title: notification.title,
        body: notification.body,
        kind: notification.kind,
        host: notification.host ?? null,
        pane: notification.paneId ?? null,
        pipeline: notification.pipeline ?? null,
        stage: notification.stage ?? null,
        at: notification.at,
        links: notification.links ?? {},
      },
      signal,
    );
    return { httpStatus: status };
  }
}

export interface ChannelSettings {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly bridge?: Pick<BridgeExtensions, 'serverchanBaseUrl' | 'wecomWebhook' | 'webhookUrls'>;
  /** Where the stdout channel writes (tests). */
  readonly write?: (text: string) => void;
}

/**
 * Channels for the configured names. A channel whose secret or URL is missing is
 * left out with a warning saying which variable to set; the others still work.
 */
export function createChannels(
  names: readonly NotifyChannelName[],
  settings: ChannelSettings = {},
): { channels: NotificationChannel[]; warnings: string[] } {
  const env = settings.env ?? process.env;
  const value = (name: string) => {
    const v = env[name]?.trim();
    return v ? v : null;
  };
  const channels: NotificationChannel[] = [];
  const warnings: string[] = [];
  for (const name of new Set(names)) {
    if (name === 'stdout') {
      channels.push(new StdoutChannel(settings.write));
    } else if (name === 'serverchan') {
      const key = value('SENTRY_SERVERCHAN_KEY');
      if (!key) warnings.push('serverchan is skipped: set SENTRY_SERVERCHAN_KEY to your ServerChan SendKey');
      else channels.push(new ServerChanChannel(key, value('SERVERCHAN_BASE_URL') ?? settings.bridge?.serverchanBaseUrl ?? undefined));
    } else if (name === 'wecom') {
      const url = value('WECOM_WEBHOOK') ?? settings.bridge?.wecomWebhook ?? null;
      if (!url) warnings.push('wecom is skipped: set WECOM_WEBHOOK to the group bot webhook URL');
      else channels.push(new WeComChannel(url));
    } else if (name === 'webhook') {
      const fromEnv = value('TMUX_BRIDGE_WEBHOOK_URL');
      const urls = fromEnv ? fromEnv.split(',').map((u) => u.trim()).filter(Boolean) : [...(settings.bridge?.webhookUrls ?? [])];
      if (urls.length === 0) warnings.push('webhook is skipped: set TMUX_BRIDGE_WEBHOOK_URL or bridge.webhook_url in hosts.yaml');
      urls.forEach((url, i) => channels.push(new WebhookChannel(url, urls.length > 1 ? `webhook[${i}]` : 'webhook')));
    }
  }
  if (!names.includes('webhook') && (settings.bridge?.webhookUrls.length ?? 0) > 0) {
    warnings.push('bridge.webhook_url is set but "webhook" is not in notify; add it (notify: "stdout,webhook") to use it');
  }
  return { channels, warnings };
}
