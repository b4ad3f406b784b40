import { createHash, randomBytes } from 'node:crypto';
import type { StoreCore } from '../tx.ts';
import { int, text } from './rows.ts';

export interface LoginSession {
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly client: string | null;
}

const hash = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * `login_sessions`: what the browser's login cookie stands for. The cookie
 * carries a random id, never the access token; the table keeps only the id's
 * hash (a copy of the data directory gives no live session), its expiry and
 * the hash of the token it logged in with (a new token ends old sessions).
 * Lookups are per request, so they are one indexed read.
 */
export class LoginSessionRepository {
  constructor(private readonly store: StoreCore) {}

  /** A new session for `token`, valid for `ttlMs`; returns the id for the cookie. */
  async create(token: string, ttlMs: number, client: string | null, now = Date.now()): Promise<{ id: string; expiresAt: string }> {
    const id = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now + ttlMs).toISOString();
    await this.store.write((tx) => {
      tx.run('INSERT INTO login_sessions (id_hash, token_hash, created_at, expires_at, client) VALUES (?, ?, ?, ?, ?)', [
        hash(id),
        hash(token),
        new Date(now).toISOString(),
        expiresAt,
        client,
      ]);
      tx.changed({ table: 'login_sessions', op: 'insert', key: { idHash: hash(id) } });
    });
    return { id, expiresAt };
  }

  /** The session behind a cookie id, if it exists, has not expired and belongs to `token`. */
  find(id: string, token: string, now = Date.now()): LoginSession | undefined {
    if (id.length < 16 || id.length > 200) return undefined;
    const row = this.store.get('SELECT created_at, expires_at, token_hash, client FROM login_sessions WHERE id_hash = ?', [hash(id)]);
    if (!row || text(row.token_hash) !== hash(token) || Date.parse(text(row.expires_at)) <= now) return undefined;
    return { createdAt: text(row.created_at), expiresAt: text(row.expires_at), client: row.client === null ? null : text(row.client) };
  }

  /** Ends one session (logout). */
  revoke(id: string): Promise<boolean> {
    return this.store.write((tx) => {
      const { changes } = tx.run('DELETE FROM login_sessions WHERE id_hash = ?', [hash(id)]);
      if (changes > 0) tx.changed({ table: 'login_sessions', op: 'delete', key: { idHash: hash(id) } });
      return changes > 0;
    });
  }

  /** Ends every session; returns how many there were. */
  revokeAll(): Promise<number> {
    return this.store.write((tx) => {
      const { changes } = tx.run('DELETE FROM login_sessions');
      tx.changed({ table: 'login_sessions', op: 'delete', key: { all: 1 } });
      return changes;
    });
  }

  /** Drops expired sessions and those of any token but `token` (run at start: a rotated token revokes them). */
  prune(token: string, now = Date.now()): Promise<number> {
    if (!this.store.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'login_sessions'")) return Promise.resolve(0);
    return this.store.write((tx) => {
      const { changes } = tx.run('DELETE FROM login_sessions WHERE expires_at <= ? OR token_hash <> ?', [new Date(now).toISOString(), hash(token)]);
      if (changes > 0) tx.changed({ table: 'login_sessions', op: 'delete', key: { pruned: changes } });
      return changes;
    });
  }

  count(): number {
    return int(this.store.get('SELECT COUNT(*) AS n FROM login_sessions')?.n);
  }
}
