import { createHmac, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { Emitter } from '../../../base/emitter.ts';

const KeyParam = z.object({ sessionKey: z.string().min(1).max(100).regex(/^[A-Za-z0-9_]+$/) });
const HookQuery = z.object({ event: z.string().max(100).optional() });

/**
 * Tool hook callbacks: a coding agent's own "turn finished" hook (claude `Stop`,
 * codex `notify`) runs `<data-dir>/hooks/tmux-bridge-hook`, which posts to
 * `POST /hooks/:sessionKey` with a per-session token (an HMAC of the server
 * token, written to `<data-dir>/hooks/<sessionKey>.token`, mode 0600). The
 * token only lets that session say "my turn ended"; it opens nothing else.
 */
export class HookCallbacks {
  private readonly fired = new Emitter<{ sessionKey: string; event: string }>();
  readonly onHook = this.fired.event;
  /** Sessions whose tool has called back at least once (its hooks are set up). */
  private readonly seen = new Set<string>();
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly token: string,
  ) {
    this.dir = join(dataDir, 'hooks');
  }

  get script(): string {
    return join(this.dir, 'tmux-bridge-hook');
  }

  tokenFor(sessionKey: string): string {
    return createHmac('sha256', this.token).update(`hook:${sessionKey}`).digest('hex');
  }

  hasHooks(sessionKey: string): boolean {
    return this.seen.has(sessionKey);
  }

  /** Writes the hook script for this server's URL (called once it listens). */
  async install(baseUrl: string): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const url = baseUrl.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
    const js = [
      'const [k, t, e] = process.argv.slice(1);',
      `fetch(${JSON.stringify(url)} + 'hooks/' + encodeURIComponent(k) + '?event=' + encodeURIComponent((e || 'stop').slice(0, 100)),`,
      "  { method: 'POST', headers: { 'x-tmux-bridge-hook': t } }).catch(() => {});",
    ].join(' ');
    const script = [
      '#!/bin/bash',
      '# tmux-bridge: tells the bridge that the agent in this pane finished its turn (docs/workbench.md).',
      'key="${TMUX_BRIDGE_SESSION:-}"',
      '[ -n "$key" ] || exit 0',
      `tokfile=${shq(this.dir)}/"$key".token`,
      '[ -r "$tokfile" ] || exit 0',
      'event="${1:-stop}"; case "$event" in \\{*) event=notify;; esac',
      `NODE_TLS_REJECT_UNAUTHORIZED=0 ${shq(process.execPath)} -e ${shq(js)} "$key" "$(cat "$tokfile")" "$event" >/dev/null 2>&1 || true`,
      '',
    ].join('\n');
    await writeFile(this.script, script, { mode: 0o700 });
    await chmod(this.script, 0o700);
  }

  /** Lets the session's hook call back (writes its token file). */
  async enable(sessionKey: string): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFile(join(this.dir, `${sessionKey}.token`), this.tokenFor(sessionKey), { mode: 0o600 });
  }

  router(): Router {
    const router = Router();
    router.post('/:sessionKey', (req, res) => {
      const params = KeyParam.safeParse(req.params);
      const query = HookQuery.safeParse(req.query);
      const given = req.get('x-tmux-bridge-hook') ?? '';
      if (!params.success || !query.success) {
        res.status(400).json({ error: { code: 'invalid_hook', message: 'expected POST /hooks/<sessionKey>?event=<name>' } });
        return;
      }
      const expected = Buffer.from(this.tokenFor(params.data.sessionKey));
      const actual = Buffer.from(given);
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
        res.status(401).json({ error: { code: 'unauthorized', message: 'wrong or missing x-tmux-bridge-hook token' } });
        return;
      }
      this.seen.add(params.data.sessionKey);
      this.fired.fire({ sessionKey: params.data.sessionKey, event: query.data.event ?? 'stop' });
      res.status(202).json({ ok: true });
    });
    return router;
  }

  dispose(): void {
    this.fired.dispose();
  }
}

function shq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
