import type { ResumeStrategy } from '../../schemas/index.ts';

/** What tmux does not remember about a session: kept by the bridge. */
export interface SessionMeta {
  readonly sessionKey: string;
  readonly name: string;
  readonly tool: string;
  readonly model: string | null;
  readonly workingDir: string;
  readonly resumeKey: string | null;
  readonly resumeStrategy: ResumeStrategy | null;
  readonly issueId: string | null;
  readonly envWrapper: string | null;
  readonly shell: string | null;
  readonly createdAt: string;
  readonly adopted: boolean;
  /** Remote host (hosts.yaml name) it runs on; null or absent = the bridge's own server. */
  readonly host?: string | null;
  /** Where it lives (or lived) in tmux. */
  readonly tmuxSession: string;
  readonly windowId: string;
  readonly paneId: string;
  /** Set once the pane is gone. */
  readonly closedAt: string | null;
  readonly exitCode: number | null;
  /** Last input or output seen; written when the session closes (and on a clean stop). */
  readonly lastActivityAt?: string | null;
}

/** Persistence of session metadata (the durable store's SessionRepository). */
export interface SessionMetaRepository {
  get(sessionKey: string): SessionMeta | undefined;
  /** Resolves once durable. */
  put(meta: SessionMeta): Promise<void>;
  /** Every session, newest first. */
  list(): SessionMeta[];
  /** Deletes the closed ones of these sessions; resolves with those removed, once durable. */
  removeClosed(sessionKeys: readonly string[]): Promise<SessionMeta[]>;
}
