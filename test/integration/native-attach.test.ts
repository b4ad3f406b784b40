import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { TerminalClient, waitUntil } from '../helpers/terminal-client.ts';
import { TestTmux, waitFor } from '../helpers/tmux.ts';
import { CliSession, Ok } from '../../schemas/index.ts';

let tmux: TestTmux;
/** A second, separate tmux server whose pane runs a real `tmux attach` to the first. */
let outer: TestTmux;
let bridge: TestBridge;

beforeAll(async () => {
  tmux = new TestTmux();
  outer = new TestTmux();
  bridge = await startTestBridge(tmux);
});

afterAll(async () => {
  await bridge?.close();
  await outer?.kill();
  await tmux?.kill();
});

const size = async (paneId: string) => tmux.tmux('display', '-p', '-t', paneId, '#{pane_width}x#{pane_height}');

describe('a native tmux client and a browser on one session', () => {
  it('both see what the other types, and the sizing policy keeps both usable', async () => {
    const { body: s } = await bridge.api.post('/api/cli-sessions', { name: 'shared', shell: 'bash --norc --noprofile -i', workingDir: tmux.dir }, CliSession);
    const paneId: string = s.tmux.paneId;
    await bridge.api.post(`/api/cli-sessions/${s.sessionKey}/send`, { text: "PS1='$ '" }, Ok);
    const browser = new TerminalClient(bridge.url, bridge.token, s.sessionKey);
    await browser.ready();

    // Without a native client the browser's size wins.
    browser.control({ type: 'resize', cols: 130, rows: 35 });
    await waitFor(async () => (await size(paneId)) === '130x35', 'browser size applied');

    // Attach natively: a real tmux client in a 100x30 terminal (the outer pane).
    await outer.tmux('new-session', '-d', '-s', 'term', '-x', '100', '-y', '30', `env -u TMUX tmux -L ${tmux.socketName} attach -t =shared`);
    await waitFor(async () => (await size(paneId)) === '100x29', 'native size (minus its status line) applied');
    await waitFor(() => browser.messages.some((m) => m.type === 'resize' && m.cols === 100 && m.rows === 29), 'browser told about the resize');
    await waitUntil(() => browser.hello!.cols === 100 && browser.hello!.rows === 29, 'fresh screen at the new size');

    // Native → browser.
    await outer.tmux('send-keys', '-t', 'term', 'echo from-native-$((1+1))', 'Enter');
    await browser.waitForText('from-native-2');

    // Browser → native.
    browser.send('echo from-browser-$((2+2))\r');
    await waitFor(async () => (await outer.capture('term')).includes('from-browser-4'), 'native client shows browser input');

    // While the native client is attached, a browser cannot shrink or grow the pane.
    const before = browser.messages.length;
    browser.control({ type: 'resize', cols: 150, rows: 40 });
    await waitFor(() => browser.messages.slice(before).some((m) => m.type === 'resize' && m.cols === 100 && m.rows === 29), 'refusal answered with the real size');
    expect(await size(paneId)).toBe('100x29');

    // Sizes below the minimum are refused outright.
    browser.control({ type: 'resize', cols: 2, rows: 1 });
    await waitFor(() => browser.messages.some((m) => m.type === 'error' && /invalid message/.test(m.message)), 'tiny size refused');

    // Native client gone: the pane keeps its size until a browser asks.
    await outer.tmux('kill-session', '-t', 'term');
    await waitFor(async () => (await tmux.tmux('display', '-p', '-t', paneId, '#{session_attached}')) === '0', 'native client detached');
    expect(await size(paneId)).toBe('100x29');
    await waitFor(async () => {
      const session = (await bridge.api.get(`/api/cli-sessions/${s.sessionKey}`, CliSession)).body;
      return session.nativeClients === 0;
    }, 'bridge saw the detach');
    browser.control({ type: 'resize', cols: 110, rows: 33 });
    await waitFor(async () => (await size(paneId)) === '110x33', 'browser size applied again');
    await browser.close();
  });
});
