import type { ResumeKeyInfo } from '../../../schemas/index.ts';
import type { StoreCore } from '../tx.ts';
import { Columns, int, nullableText, text } from './rows.ts';

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

const BINDING = new Columns({ resumeKey: text, tool: nullableText, nativeSessionId: nullableText, fallbackAt: nullableText, fallbackReason: nullableText, updatedAt: text });
const TURN = new Columns({ id: int, resumeKey: text, executionId: nullableText, prompt: text, answer: text, at: text });
const NEW_TURN = TURN.without('id');

/**
 * `resume_bindings` (resumeKey → the tool's own session id, for nativeResume) and
 * `resume_turns` (prompt and answer per turn, for promptConcat).
 */
export class ResumeRepository {
  constructor(private readonly store: StoreCore) {}

  binding(resumeKey: string): ResumeBinding | undefined {
    const row = this.store.get(`SELECT ${BINDING.list} FROM resume_bindings WHERE resume_key = ?`, [resumeKey]);
    return row ? BINDING.row(row) : undefined;
  }

  putBinding(binding: ResumeBinding): Promise<void> {
    return this.store.write((tx) => {
      tx.run(
        BINDING.insert('resume_bindings', ['resume_key']),
        BINDING.values(binding),
      );
      tx.changed({ table: 'resume_bindings', op: 'upsert', key: { resumeKey: binding.resumeKey }, row: binding });
    });
  }

  /** Turns of a key, oldest first. */
  turns(resumeKey: string): ResumeTurn[] {
    return this.store
      .all(`SELECT ${TURN.list} FROM resume_turns WHERE resume_key = ? ORDER BY id`, [resumeKey])
      .map(TURN.row);
  }

  addTurn(turn: Omit<ResumeTurn, 'id'>): Promise<void> {
    return this.store.write((tx) => {
      tx.run(NEW_TURN.insert('resume_turns'), NEW_TURN.values(turn));
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
