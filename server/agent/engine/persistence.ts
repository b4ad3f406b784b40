/**
 * The store behind the approval service and the notifier, and the secret that signs
 * approval links.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Approval, NotificationRecord } from '../../../schemas/agent.ts';
import type { AgentApprovalRepository, NotificationRepository } from '../../store/index.ts';
import type { ApprovalKey, ApprovalPersistence } from '../approvals/index.ts';
import type { NotificationRecorder } from '../notify/index.ts';

/** ApprovalPersistence on the `approvals` table; link tokens are marked used in `approval_tokens`. */
export class StoreApprovalPersistence implements ApprovalPersistence {
  /** Set once the service exists: the digest of an approval's link token, stored with it. */
  digestFor: ((approval: Approval) => string) | undefined;

  constructor(private readonly repo: AgentApprovalRepository) {}

  async insert(approval: Approval): Promise<void> {
    await this.repo.insert(approval, this.digestFor?.(approval));
  }

  get(id: string): Approval | undefined {
    return this.repo.get(id);
  }

  findPending(key: ApprovalKey): Approval | undefined {
    return this.repo.findPending(key);
  }

  listPending(): Approval[] {
    return this.repo.listPending();
  }

  complete(id: string, update: Pick<Approval, 'status' | 'decidedAt' | 'decidedVia' | 'decidedBy' | 'note'>): Promise<Approval | undefined> {
    return this.repo.complete(id, update);
  }

  useToken(digest: string, approval: Approval): Promise<boolean> {
    return this.repo.useToken(digest, approval);
  }
}

/**
 * Every delivery attempt into `notifications` (one row per notification and channel).
 * Updates of one delivery are written in order; a failing write is reported by the
 * Notifier and never stops a delivery.
 */
export class StoreNotificationRecorder implements NotificationRecorder {
  private readonly rows = new Map<string, Promise<number>>();

  constructor(private readonly repo: NotificationRepository) {}

  record(record: NotificationRecord): Promise<void> {
    let row = this.rows.get(record.deliveryId);
    if (!row) {
      row = this.repo
        .enqueue({
          notificationId: record.notificationId,
          channel: record.channel,
          kind: record.kind,
          title: record.title,
          body: record.body,
          host: record.payload.host,
          paneId: record.payload.paneId,
          pipeline: record.payload.pipeline,
          stage: record.payload.stage,
          payload: { links: record.payload.links, ...(record.payload.text ? { text: record.payload.text } : {}) },
          at: record.createdAt,
        })
        .then((created) => created.id);
      this.rows.set(record.deliveryId, row);
    }
    const written = row.then(async (id) => {
      if (record.attempts === 0) return id;
      await this.repo.recordAttempt(id, {
        ok: record.status === 'sent',
        error: record.lastError,
        httpStatus: record.httpStatus,
        giveUp: record.status === 'failed',
      });
      return id;
    });
    this.rows.set(record.deliveryId, written);
    // Final records end the delivery: forget its row id.
    if (record.status !== 'pending') void written.finally(() => this.rows.get(record.deliveryId) === written && this.rows.delete(record.deliveryId)).catch(() => undefined);
    return written.then(() => undefined);
  }
}

/**
 * The HMAC key of approval links: created once in the data directory (0600), so links
 * sent before a restart keep working after it.
 */
export async function loadOrCreateSecret(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, 'approval-secret');
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (/^[0-9a-f]{64}$/.test(text)) return Buffer.from(text, 'hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32);
  try {
    await writeFile(path, `${secret.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    // Another start won the race (or a broken file is in the way): read what is there.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const text = (await readFile(path, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/.test(text)) throw new Error(`${path} is not an approval secret (64 hex digits); delete it to have a new one made (links already sent stop working)`);
    return Buffer.from(text, 'hex');
  }
}
