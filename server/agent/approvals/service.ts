/**
 * ApprovalService: the one place approvals are created and decided.
 *
 * Three ways in — the request file, a signed link, the web API — all end in
 * `decide(id, decision, {via})`, which stores the decision (once: a second decision
 * is refused), removes the request file and fires `onDecided`; the engine turns that
 * into an `approval` input of the state machine and the event bus into
 * APPROVAL_DECIDED. Storage is injected (`ApprovalPersistence`) so the store backs it
 * in the server and a Map backs it in tests.
 */
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { Approval, ApprovalDecision, ApprovalVia } from '../../../schemas/agent.ts';
import { Emitter } from '../../../base/emitter.ts';
import { Disposable } from '../../../base/lifecycle.ts';
import { approvalDirProblem } from './dir-safety.ts';
import { ApprovalFileWatcher } from './file-watcher.ts';
import { approvalFilePath, readApprovalFile, removeApprovalFile, writeApprovalFile } from './files.ts';
import { describeUid } from './owner.ts';
import { DEFAULT_TOKEN_TTL_MS, signApprovalToken, tokenDigest, verifyApprovalToken } from './tokens.ts';

type MaybePromise<T> = T | Promise<T>;

export interface ApprovalKey {
  readonly host: string;
  readonly paneId: string;
  readonly pipeline: string;
  readonly stage: string;
}

/** What the service needs from the store. Every method may be sync or async. */
export interface ApprovalPersistence {
  insert(approval: Approval): MaybePromise<void>;
  get(id: string): MaybePromise<Approval | undefined>;
  findPending(key: ApprovalKey): MaybePromise<Approval | undefined>;
  listPending(): MaybePromise<readonly Approval[]>;
  /**
   * Move a pending approval to its final status, atomically: return the updated
   * approval, or `undefined` when it was not pending any more (someone else decided).
   */
  complete(
    id: string,
    update: Pick<Approval, 'status' | 'decidedAt' | 'decidedVia' | 'decidedBy' | 'note'>,
  ): MaybePromise<Approval | undefined>;
  /**
   * Mark a link token used; return false when it was used before (one-time links).
   * `digest` is `tokenDigest(token)`; the approval gives host, pane, stage and expiry
   * (tmuxagent's `approval_tokens` row).
   */
  useToken(digest: string, approval: Approval): MaybePromise<boolean>;
}

export interface ApprovalRequestInput extends ApprovalKey {
  readonly kind: Approval['kind'];
  readonly prompt: string | null;
}

export interface ApprovalLinks {
  readonly token: string;
  /** `null` without a configured base URL. */
  readonly approve: string | null;
  readonly reject: string | null;
}

export interface DecideOptions {
  readonly via: ApprovalVia;
  readonly note?: string | null;
  readonly by?: string | null;
}

export type DecideFailure = 'not_found' | 'not_pending' | 'forged' | 'expired' | 'used';

export type DecideResult =
  | { readonly ok: true; readonly approval: Approval; readonly decision: ApprovalDecision }
  | { readonly ok: false; readonly code: DecideFailure; readonly message: string; readonly approval?: Approval };

export type TokenLookup =
  | { readonly ok: true; readonly approval: Approval }
  | { readonly ok: false; readonly code: DecideFailure; readonly message: string; readonly approval?: Approval };

export interface ApprovalServiceOptions {
  readonly persistence: ApprovalPersistence;
  readonly secret: string | Uint8Array;
  /** Functions are read at each use, so a config reload changes new requests without a new service. */
  readonly approvalDir: string | (() => string);
  readonly baseUrl?: string | null | (() => string | null);
  readonly ttlMs?: number | (() => number);
  /**
   * Write and watch request files (default true). `false` for good means no file
   * machinery at all; a function is read at each use (`approvals.file` in the config)
   * and `refreshFiles()` applies a change to pending approvals.
   */
  readonly files?: boolean | (() => boolean);
  /** Request-file poll period (ms). */
  readonly pollMs?: number;
  readonly clock?: () => number;
  readonly idFactory?: () => string;
}

export interface ApprovalDecided {
  readonly approval: Approval;
  readonly decision: ApprovalDecision;
}

const FAILURE_TEXT: Record<DecideFailure, string> = {
  not_found: 'no such approval',
  not_pending: 'this approval was already decided or cancelled',
  forged: 'this approval link is not valid',
  expired: 'this approval link has expired; decide in the web UI or in the request file instead',
  used: 'this approval link was already used',
};

function failure(code: DecideFailure, approval?: Approval): { ok: false; code: DecideFailure; message: string; approval?: Approval } {
  return approval ? { ok: false, code, message: FAILURE_TEXT[code], approval } : { ok: false, code, message: FAILURE_TEXT[code] };
}

export class ApprovalService extends Disposable {
  private readonly requestedEmitter = this.register(new Emitter<{ approval: Approval; links: ApprovalLinks }>());
  private readonly decidedEmitter = this.register(new Emitter<ApprovalDecided>());
  private readonly cancelledEmitter = this.register(new Emitter<Approval>());
  /** A new approval exists (send APPROVAL_REQUESTED and the notification with its links). */
  readonly onRequested = this.requestedEmitter.event;
  /** Fired once per approval, whichever way the decision came. */
  readonly onDecided = this.decidedEmitter.event;
  readonly onCancelled = this.cancelledEmitter.event;
  private readonly errorEmitter = this.register(new Emitter<unknown>());
  /** Background work (request files) failed; nothing was decided. */
  readonly onError = this.errorEmitter.event;

  private readonly persistence: ApprovalPersistence;
  private readonly watcher: ApprovalFileWatcher | null;
  private readonly clock: () => number;
  private readonly idFactory: () => string;
  private readonly ttlMs: () => number;

  constructor(private readonly options: ApprovalServiceOptions) {
    super();
    if (options.secret.length === 0) throw new Error('ApprovalService needs a non-empty secret to sign approval links');
    this.persistence = options.persistence;
    this.clock = options.clock ?? Date.now;
    this.idFactory = options.idFactory ?? (() => `ap_${randomBytes(9).toString('base64url')}`);
    const ttl = options.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
    this.ttlMs = typeof ttl === 'function' ? ttl : () => ttl;
    this.watcher = options.files === false ? null : this.register(new ApprovalFileWatcher({ pollMs: options.pollMs }));
    this.watcher?.onDecision((event) => void this.decideFromFile(event.key, event.path, event.decision, event.uid));
    this.watcher?.onError(({ error }) => this.errorEmitter.fire(error));
  }

  /** Are decisions by request file accepted now? */
  filesEnabled(): boolean {
    const files = this.options.files;
    return typeof files === 'function' ? files() : files !== false;
  }

  private iso(ms = this.clock()): string {
    return new Date(ms).toISOString();
  }

  /** Signed links for an approval (the token is derived, never stored). */
  links(approval: Approval): ApprovalLinks {
    const token = signApprovalToken(this.options.secret, {
      id: approval.id,
      host: approval.host,
      pane: approval.paneId,
      pipeline: approval.pipeline,
      stage: approval.stage,
      expires: Math.floor(Date.parse(approval.expiresAt) / 1000),
    });
    const configured = typeof this.options.baseUrl === 'function' ? this.options.baseUrl() : this.options.baseUrl;
    const base = configured ? configured.replace(/\/+$/, '') : null;
    return {
      token,
      approve: base ? `${base}/a/${token}/approve` : null,
      reject: base ? `${base}/a/${token}/reject` : null,
    };
  }

  /** Ask for a decision; asking again for a stage already waiting returns the pending approval. */
  async request(input: ApprovalRequestInput): Promise<{ approval: Approval; links: ApprovalLinks; created: boolean }> {
    const existing = await this.persistence.findPending(input);
    if (existing) {
      await this.ensureFile(existing);
      return { approval: existing, links: this.links(existing), created: false };
    }
    const now = this.clock();
    const approval: Approval = {
      id: this.idFactory(),
      host: input.host,
      paneId: input.paneId,
      pipeline: input.pipeline,
      stage: input.stage,
      kind: input.kind,
      prompt: input.prompt,
      status: 'pending',
      requestedAt: this.iso(now),
      // No file when file decisions are off: nothing to write, nothing to show.
      file: this.filesEnabled()
        ? approvalFilePath(
            typeof this.options.approvalDir === 'function' ? this.options.approvalDir() : this.options.approvalDir,
            input.host,
            input.paneId,
            input.stage,
          )
        : '',
      expiresAt: this.iso(now + this.ttlMs()),
      decidedAt: null,
      decidedVia: null,
      decidedBy: null,
      note: null,
    };
    await this.persistence.insert(approval);
    // A new request always gets a fresh file: a stale "approve" must not decide it.
    await this.ensureFile(approval, true);
    // Decided (web, link) while the file was being written: the decision removed no file yet, so do it now.
    const stored = await this.persistence.get(approval.id);
    if (stored && stored.status !== 'pending') await this.forgetFile(stored);
    const links = this.links(approval);
    this.requestedEmitter.fire({ approval, links });
    return { approval, links, created: true };
  }

  /** The single funnel for decisions from the file, a link or the web. */
  async decide(id: string, decision: ApprovalDecision, options: DecideOptions): Promise<DecideResult> {
    const current = await this.persistence.get(id);
    if (!current) return failure('not_found');
    if (current.status !== 'pending') return failure('not_pending', current);
    const updated = await this.persistence.complete(id, {
      status: decision === 'approve' ? 'approved' : 'rejected',
      decidedAt: this.iso(),
      decidedVia: options.via,
      decidedBy: options.by ?? null,
      note: options.note ?? null,
    });
    if (!updated) return failure('not_pending', current);
    await this.forgetFile(updated);
    this.decidedEmitter.fire({ approval: updated, decision });
    return { ok: true, approval: updated, decision };
  }

  private async decideFromFile(id: string, path: string, decision: ApprovalDecision, uid: number | null): Promise<void> {
    try {
      // Switched off since the file was written: the file decides nothing.
      if (!this.filesEnabled()) return;
      // The directory became writable by others since (chmod, a swapped parent): whoever wrote may not be the user.
      const hostDir = dirname(path);
      const problem = (await approvalDirProblem(dirname(hostDir))) ?? (await approvalDirProblem(hostDir));
      if (problem) {
        this.errorEmitter.fire(new Error(`${problem}; the decision written into ${path} was ignored (decide in the web UI or by link)`));
        return;
      }
      const result = await this.decide(id, decision, { via: 'file', by: await describeUid(uid) });
      // Decided elsewhere first: the file is stale, remove it as a decision would have.
      if (!result.ok) await removeApprovalFile(path);
    } catch (error) {
      this.errorEmitter.fire(error);
    }
  }

  /** What a link token points at, without deciding (the GET confirmation page). */
  async lookupToken(token: string): Promise<TokenLookup> {
    const check = verifyApprovalToken(this.options.secret, token, this.clock());
    if (!check.ok) {
      const approval = check.claims ? await this.persistence.get(check.claims.id) : undefined;
      return failure(check.reason, approval);
    }
    const approval = await this.persistence.get(check.claims.id);
    const claims = check.claims;
    if (!approval || approval.host !== claims.host || approval.paneId !== claims.pane || approval.stage !== claims.stage || approval.pipeline !== claims.pipeline) {
      return failure('not_found');
    }
    if (approval.status !== 'pending') return failure('used', approval);
    return { ok: true, approval };
  }

  /** Decide through a signed link (the confirmation page's POST). A token decides once. */
  async decideByToken(token: string, decision: ApprovalDecision, options: Omit<DecideOptions, 'via'> = {}): Promise<DecideResult> {
    const lookup = await this.lookupToken(token);
    if (!lookup.ok) return lookup;
    if (!(await this.persistence.useToken(tokenDigest(token), lookup.approval))) return failure('used', lookup.approval);
    return this.decide(lookup.approval.id, decision, { ...options, via: 'link' });
  }

  /** Withdraw a pending approval (stage reset or retried from the web). */
  async cancel(key: ApprovalKey, reason: string): Promise<Approval | null> {
    const pending = await this.persistence.findPending(key);
    if (!pending) return null;
    const updated = await this.persistence.complete(pending.id, {
      status: 'cancelled',
      decidedAt: this.iso(),
      decidedVia: null,
      decidedBy: null,
      note: reason,
    });
    if (!updated) return null;
    await this.forgetFile(updated);
    this.cancelledEmitter.fire(updated);
    return updated;
  }

  async pending(): Promise<readonly Approval[]> {
    return this.persistence.listPending();
  }

  /** After a restart: write missing request files again and watch them all. */
  async resume(): Promise<number> {
    const pending = await this.persistence.listPending();
    for (const approval of pending) await this.ensureFile(approval);
    return pending.length;
  }

  /**
   * Apply the current `files` setting to pending approvals: off removes their
   * request files (they would decide nothing), on writes the missing ones.
   */
  async refreshFiles(): Promise<void> {
    if (!this.watcher) return;
    const pending = await this.persistence.listPending();
    if (this.filesEnabled()) {
      for (const approval of pending) await this.ensureFile(approval);
      return;
    }
    for (const approval of pending) {
      this.watcher.untrack(approval.id);
      if (approval.file !== '') await removeApprovalFile(approval.file).catch(() => undefined);
    }
  }

  /** Read the request files now (tests, or a "check" button). */
  async checkFiles(): Promise<void> {
    await this.watcher?.checkNow();
  }

  /**
   * Write the request file (unless it exists and `fresh` is false: a decision written
   * while the server was down must survive a restart) and watch it. A file that
   * cannot be written (approval_dir not writable) is reported, not thrown: the link
   * and the web still decide.
   */
  private async ensureFile(approval: Approval, fresh = false): Promise<void> {
    if (!this.watcher || !this.filesEnabled() || approval.file === '') return;
    try {
      if (fresh || (await readApprovalFile(approval.file)) === 'missing') await writeApprovalFile(approval.file, approval);
      this.watcher.track(approval.id, approval.file);
    } catch (error) {
      this.errorEmitter.fire(error);
    }
  }

  private async forgetFile(approval: Approval): Promise<void> {
    this.watcher?.untrack(approval.id);
    if (this.options.files === false || approval.file === '') return;
    try {
      await removeApprovalFile(approval.file);
    } catch {
      // A file we cannot remove must not undo a decision; it is decided either way.
    }
  }
}

/** Title and body of the notification for a new approval: the prompt, the file, the links. */
export function approvalNotice(approval: Approval, links: ApprovalLinks, title: string, body: string): { title: string; body: string } {
  const lines = [body, approval.file ? `File: ${approval.file} (write approve or reject into it)` : ''];
  if (links.approve && links.reject) lines.push(`[Approve](${links.approve}) | [Reject](${links.reject})`);
  return { title, body: lines.filter((line) => line.length > 0).join('\n') };
}
