import type { NotificationRecord } from '../../../schemas/agent.ts';
import { errorMessage } from '../../../base/errors.ts';
import type { AgentConfig } from '../config/types.ts';
import type { NotifyLanguage } from '../../../schemas/agent-config.ts';
import { createChannels, localizedText, Notifier, type NotificationRecorder } from '../notify/index.ts';
import type { EngineNotification } from './types.ts';

export interface EngineNotificationsDeps {
  readonly recorder: NotificationRecorder;
  /** Every delivery update (NOTIFICATION events). */
  readonly onRecord: (record: NotificationRecord) => void;
  readonly log: (message: string) => void;
  /** Environment for notification secrets and endpoints. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where the stdout channel prints. */
  readonly stdout?: (text: string) => void;
}

/**
 * The agent engine's notifications: the channels the config names, a Notifier with the config's
 * retry settings, and the sends in flight (a close lets them finish briefly).
 */
export class EngineNotifications {
  private notifier: Notifier;
  private retry = '';
  private readonly inflight = new Set<Promise<unknown>>();
  private names: string[] = [];
  private language: NotifyLanguage = 'en';

  constructor(
    private readonly deps: EngineNotificationsDeps,
    config: AgentConfig,
  ) {
    this.notifier = this.create(config);
    this.language = config.bridge.notifyLanguage;
  }

  /** The names of the channels in use. */
  get channels(): readonly string[] {
    return this.names;
  }

  /** Takes the config's channels and retry settings; returns what is wrong with a channel's settings. */
  configure(config: AgentConfig): { warnings: string[] } {
    const old = this.notifier;
    // Retry settings are fixed per Notifier: a new one takes over, the old one finishes what it sends.
    if (JSON.stringify(config.bridge.notifyRetry) !== this.retry) {
      this.notifier = this.create(config);
      void Promise.allSettled([...this.inflight]).then(() => old.dispose());
    }
    const { channels, warnings } = createChannels(config.notify, { env: this.deps.env, bridge: config.bridge, write: this.deps.stdout });
    this.notifier.setChannels(channels);
    this.names = channels.map((channel) => channel.name);
    this.language = config.bridge.notifyLanguage;
    return { warnings };
  }

  notify(notification: EngineNotification): void {
    // The language of the config in force now: a reload applies from the next notification on.
    const sent = localizedText(notification, this.language);
    const sending = this.notifier.notify(sent ? { ...notification, sent } : notification);
    this.inflight.add(sending);
    void sending.finally(() => this.inflight.delete(sending));
  }

  /** Lets sends in flight finish for up to `graceMs`, then stops. */
  async close(graceMs = 2000): Promise<void> {
    await Promise.race([Promise.allSettled([...this.inflight]), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    this.notifier.dispose();
  }

  private create(config: AgentConfig): Notifier {
    const retry = config.bridge.notifyRetry;
    this.retry = JSON.stringify(retry);
    const notifier = new Notifier({ channels: [], recorder: this.deps.recorder, attempts: retry.attempts, baseDelayMs: retry.baseDelayMs, timeoutMs: retry.timeoutMs });
    notifier.onRecord((record) => this.deps.onRecord(record));
    notifier.onRecorderError((error) => this.deps.log(`agent: could not record a notification: ${errorMessage(error)}`));
    return notifier;
  }
}
