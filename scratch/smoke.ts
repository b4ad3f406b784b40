import { TestTmux, waitFor } from '../test/helpers/tmux.ts';
import { TmuxServer } from '../tmux/server.ts';
import { newSession } from '../tmux/sessions.ts';
import { sendBytesCommands } from '../tmux/keys.ts';
import { capturePane, snapshotBytes } from '../tmux/capture.ts';

const t = new TestTmux();
const server = await TmuxServer.start({ socketName: t.socketName, configFile: '/dev/null', runDir: t.dir + '/run', historyLimit: 10000 });
try {
  const created = await newSession(server.control, { name: 'a', cols: 100, rows: 30, command: ['bash', '--norc', '-i'], paneOptions: { '@tb_key': 's_x' }, remainOnExit: true });
  console.log(created);
  await server.monitor.refresh();
  const stream = await server.streams.ready(created.paneId);
  let got = '';
  stream!.onData(({ data }) => (got += data.toString()));
  const t0 = performance.now();
  await server.control.runList(sendBytesCommands(created.paneId, Buffer.from('echo hello-你好\r')));
  await waitFor(() => got.includes('hello-你好\r\n'), 'echo');
  console.log('echo ms', performance.now() - t0, JSON.stringify(got.slice(-80)));
  const cap = await capturePane(server.control, created.paneId, 100);
  console.log(cap.modes, cap.lines.length, JSON.stringify(snapshotBytes(cap).toString().slice(0, 200)));
  console.log(await t.listPanes());
} finally {
  server.dispose();
  await t.kill();
}
