/**
 * Acceptance: hostile output. Malformed SENTRY JSON, binary garbage and 1 MB lines
 * in a watched pane neither crash nor stall the engine: the lines after them are
 * still evaluated, other panes keep being served, the API answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPane, removeDir, startAgentBridge, waitForStage, waitForWatching, writeAgentFiles, type AgentBridge, type AgentFiles } from '../helpers/agent.ts';
import { TestTmux } from '../helpers/tmux.ts';

let tmux: TestTmux;
let files: AgentFiles;
let agent: AgentBridge;
const api = (method: string, path: string, body?: unknown) => agent.bridge.api(method, path, body);

beforeAll(async () => {
  tmux = new TestTmux();
  files = writeAgentFiles(
    `approval_dir: {APPROVALS}
notify: stdout
hosts:
  - name: local
    tmux: {socket: ${tmux.socketName}}
`,
    `pipelines:
  - name: hostile
    match: {any_of: [{window_name: "^hostile$"}]}
    stages:
      - name: survive
        success_when: {any_of: [{message_type: AFTER_GARBAGE}]}
        fail_when: {any_of: [{message_type: BROKEN}, {log_regex: "^x{70000}"}]}
  - name: neighbour
    match: {any_of: [{window_name: "^calm$"}]}
    stages:
      - name: ping
        success_when: {any_of: [{log_regex: "^PONG$"}]}
`,
  );
  agent = await startAgentBridge(tmux, files);
});

afterAll(async () => {
  await agent?.close();
  await tmux?.kill();
  removeDir(files?.dir);
});

describe('hostile pane output', () => {
  it('malformed SENTRY JSON, binary garbage and 1 MB lines neither crash nor stall the engine', async () => {
    const script = [
      'read -r _',
      `echo '### SENTRY {"type": "BROKEN", oops'`,
      `echo '{"type": "BROKEN", "nested": [[[[[[[[[[ '`,
      `printf '### SENTRY %s\\n' "$(head -c 200000 /dev/zero | tr '\\0' '[')"`,
      'head -c 300000 /dev/urandom',
      "printf '\\n'",
      // 1 MB on one line, twice (plain, then a JSON-looking one).
      "head -c 1048576 /dev/zero | tr '\\0' x; printf '\\n'",
      `printf '{"type":"BROKEN","pad":"'; head -c 1048576 /dev/zero | tr '\\0' y; printf '"\\n'`,
      // An escape string that never ends, and a reset of the terminal.
      "printf '\\033]0;never terminated'; printf '\\n\\033c'",
      `echo '### SENTRY {"type":"AFTER_GARBAGE"}'`,
      'sleep 600',
    ].join('; ');
    const hostile = await newPane(tmux, 'hostile', 'hostile', `bash -c '${script.replace(/'/g, `'\\''`)}'`);
    const calm = await newPane(tmux, 'calm', 'calm', 'bash --norc --noprofile');
    await waitForWatching(api, hostile);
    await waitForWatching(api, calm);
    await tmux.tmux('send-keys', '-t', hostile, 'Enter');

    const done = await waitForStage(api, 'hostile', hostile, 'survive', 'COMPLETED', 60_000);
    expect(done.retries).toBe(0);
    const { body: history } = await api('GET', `/api/stage-history?host=local&paneId=${encodeURIComponent(hostile)}`);
    expect(history.history.map((h: any) => h.to)).not.toContain('FAILED');

    // The other pane is still served promptly, and the server answers.
    await tmux.tmux('send-keys', '-t', calm, '-l', 'echo PONG');
    await tmux.tmux('send-keys', '-t', calm, 'Enter');
    await waitForStage(api, 'neighbour', calm, 'ping', 'COMPLETED');
    expect((await fetch(new URL('/healthz', agent.bridge.url))).status).toBe(200);

    // Long lines are kept bounded on the board.
    const { body: panes } = await api('GET', '/api/panes');
    const shown = panes.panes.find((p: any) => p.paneId === hostile);
    expect(shown.lastLines.at(-1)).toBe('### SENTRY {"type":"AFTER_GARBAGE"}');
    expect(Math.max(...shown.lastLines.map((l: string) => l.length))).toBeLessThanOrEqual(2001);
    expect(shown.lastLines.some((l: string) => l.startsWith('xxxxxxxxxx'))).toBe(true);
  });
});
