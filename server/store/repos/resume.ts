import type { ResumeKeyInfo } from '../../../schemas/index.ts';
import type { StoreCore } from '../tx.ts';
import { int, nullableText, text } from './rows.ts';

export interface ResumeBinding {
  readonly resumeKey: string;
  readonly tool: string | null;
  readonly nativeSessionId: string | null;
  readonly fallbackAt: string | null;
  readonly fallbackReason: string | null;
  readonly updatedAt: string;
}

export interface ResumeTurn {
  readonly id: number;
  readonly resumeKey: string;
  readonly executionId: string | null;
  readonly prompt: string;
  readonly answer: string;
  readonly at: string;
}

/**
 * `resume_bindings` (resumeKey → the tool's own session id, for nativeResume) and
 * `resume_turns` (prompt and answer per turn, for promptConcat).
 */
export class ResumeRepository {
  constructor(private readonly store: StoreCore) {}

  binding(resumeKey: string): ResumeBinding | undefined {
    const row = this.store.get('SELECT resume_key, tool, native_session_id, fallback_at, fallback_reason, updated_at FROM resume_bindings WHERE resume_key = ?', [resumeKey]);
    if (!row) return undefined;
    return {
      resumeKey: text(row.resume_key),
      tool: nullableText(row.tool),
      nativeSessionId: nullableText(row.native_session_id),
      fallbackAt: nullableText(row.fallback_at),
      fallbackReason: nullableText(row.fallback_reason),
      updatedAt: text(row.updated_at),
    };
  }

  putBinding(binding: ResumeBinding): Promise<void> {
    return this.store.write((tx) => {
      tx.run(
        `INSERT INTO resume_bindings (resume_key, tool, native_session_id, fallback_at, fallback_reason, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(resume_key) DO UPDATE SET tool = excluded.tool, native_session_id = excluded.native_session_id,
           fallback_at = excluded.fallback_at, fallback_reason = excluded.fallback_reason, updated_at = excluded.updated_at`,
        [binding.resumeKey, binding.tool, binding.nativeSessionId, binding.fallbackAt, binding.fallbackReason, binding.updatedAt],
      );
      tx.changed({ table: 'resume_bindings', op: 'upsert', key: { resumeKey: binding.resumeKey }, row: binding });
    });
  }

  /** Turns of a key, oldest first. */
  turns(resumeKey: string): ResumeTurn[] {
    return this.store
      .all('SELECT id, resume_key, execution_id, prompt, answer, at FROM resume_turns WHERE resume_key = ? ORDER BY id', [resumeKey])
      .map((row) => ({
        id: int(row.id),
        resumeKey: text(row.resume_key),
        executionId: nullableText(row.execution_id),
        prompt: text(row.prompt),
        answer: text(row.answer),
        at: text(row.at),
      }));
  }

  addTurn(turn: Omit<ResumeTurn, 'id'>): Promise<void> {
    return this.store.write((tx) => {
      tx.run('INSERT INTO resume_turns (resume_key, execution_id, prompt, answer, at) VALUES (?, ?, ?, ?, ?)', [turn.resumeKey, turn.executionId, turn.prompt, turn.answer, turn.at]);
      tx.changed({ table: 'resume_turns', op: 'insert', key: { resumeKey: turn.resumeKey } });
    });
  }

  info(resumeKey: string): ResumeKeyInfo | undefined {
    const binding = this.binding(resumeKey);
    const stats = this.store.get('SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(CAST(prompt AS BLOB)) + LENGTH(CAST(answer AS BLOB))), 0) AS bytes, MAX(at) AS at FROM resume_turns WHERE resume_key = ?', [resumeKey]);
    const turns = int(stats?.n);
    if (!binding && turns === 0) return undefined;
    return {
      resumeKey,
      tool: binding?.tool ?? null,
      nativeSessionId: binding?.nativeSessionId ?? null,
      turns,
      bytes: int(stats?.bytes),
      fallbackAt: binding?.fallbackAt ?? null,
      fallbackReason: binding?.fallbackReason ?? null,
      updatedAt: binding?.updatedAt ?? nullableText(stats?.at),
    };
  }

  /** Forgets the transcript and the binding; true if there was anything. */
  forget(resumeKey: string): Promise<boolean> {
    return this.store.write((tx) => {
      const a = tx.run('DELETE FROM resume_turns WHERE resume_key = ?', [resumeKey]).changes;
      const b = tx.run('DELETE FROM resume_bindings WHERE resume_key = ?', [resumeKey]).changes;
      if (a + b > 0) tx.changed({ table: 'resume_bindings', op: 'delete', key: { resumeKey } });
      return a + b > 0;
    });
  }

  /** Drops turns older than `beforeIso` (retention in days). */
  prune(beforeIso: string): Promise<number> {
    return this.store.write((tx) => tx.run('DELETE FROM resume_turns WHERE at < ?', [beforeIso]).changes);
  }
}
