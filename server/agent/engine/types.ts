/**
 * What the parts of the engine need from each other, as interfaces so that the
 * per-pane runtime, the host watchers and the board do not import each other.
 */
import type { SshConfig } from '../../../schemas/agent-config.ts';
import type { Approval, NotificationKind, NotificationText } from '../../../schemas/agent.ts';
import type { EventPayload, EventType } from '../../../schemas/events.ts';
import type { AgentApprovalRepository, PaneProgressRepository, Store } from '../../store/index.ts';
import type { ApprovalService } from '../approvals/index.ts';
import type { AgentConfig } from '../config/types.ts';
import type { PaneFacts } from '../policy/types.ts';

/** A tmux host as a pane runtime sees it: its name, and how to type into its panes. */
export interface PaneHost {
  readonly name: string;
  /** null for this machine (shell actions run locally). */
  readonly ssh: SshConfig | null;
  /** Types `text` (then Enter) into the pane: one tmux command per action. */
  sendKeys(paneId: string, text: string, options: { enter: boolean }): Promise<void>;
}

export interface EngineNotification {
  readonly title: string;
  readonly body: string;
  readonly kind: NotificationKind;
  readonly host: string;
  readonly paneId: string;
  readonly pipeline: string;
  readonly stage: string;
  readonly links?: Readonly<Record<string, string>>;
  /** What the text says as a code (schemas/agent.ts NotificationText), when the engine wrote it. */
  readonly text?: NotificationText;
}

export interface ApprovalRequest {
  readonly host: string;
  readonly paneId: string;
  readonly pipeline: string;
  readonly stage: string;
  readonly kind: Approval['kind'];
  readonly prompt: string | null;
  readonly title: string;
  readonly body: string;
}

/** Shared services of every pane runtime (implemented by the AgentEngine). */
export interface EngineContext {
  readonly store: Store;
  readonly progress: PaneProgressRepository;
  readonly approvalRepo: AgentApprovalRepository;
  readonly approvals: ApprovalService;
  readonly dryRun: boolean;
  config(): AgentConfig;
  /** Send to every channel; never throws, never blocks the caller. */
  notify(notification: EngineNotification): void;
  /** Create (or find) the approval, write its file, announce it and notify with its links. */
  requestApproval(request: ApprovalRequest): Promise<void>;
  publish<K extends EventType>(type: K, payload: EventPayload<K>, options?: { ephemeral?: boolean }): void;
  sessionKeyOf(host: string, paneId: string): string | null;
  log(message: string): void;
}

/** A pane as the watchers report it. */
export interface WatchedPaneInfo extends PaneFacts {
  readonly paneId: string;
  readonly dead: boolean;
  /** The tmux server's identity (`<pid>@<start time>`), when the watcher knows it: pane ids repeat across servers. */
  readonly serverId?: string;
}
