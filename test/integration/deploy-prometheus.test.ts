import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseServeArgs } from '../../server/options.ts';
import { startTestBridge, type TestBridge } from '../helpers/bridge.ts';
import { parsePrometheus } from '../helpers/prometheus.ts';
import { TestTmux } from '../helpers/tmux.ts';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const unitText = readFileSync(join(DEPLOY, 'tmux-bridge@.service'), 'utf8');
const job = (parseYaml(readFileSync(join(DEPLOY, 'prometheus-tmux-bridge.yml'), 'utf8')) as { scrape_configs: any[] }).scrape_configs[0];

/** The server as the unit starts it, with the environment file its comment shows; only the port, data and tmux server are the test's. */
function unitOptions(dataDir: string, tmux: TestTmux, metricsToken: string) {
  const argv = /^ExecStart=\/usr\/bin\/env tmux-bridge serve (.*)$/m.exec(unitText)![1]!.split(/\s+/);
  const publicUrl = /^#\s+TMUX_BRIDGE_PUBLIC_URL=(\S+)$/m.exec(unitText)![1]!;
  const options = parseServeArgs(argv, { TMUX_BRIDGE_PUBLIC_URL: publicUrl, TMUX_BRIDGE_METRICS_TOKEN: metricsToken });
  return { ...options, port: 0, dataDir, socket: tmux.socketName, tmuxConfig: tmux.configFile };
}

let tmux: TestTmux;
let bridge: TestBridge;
// What `openssl rand -hex 24` gives; Prometheus reads the credentials file and trims the newline.
const metricsToken = randomBytes(24).toString('hex');
const credentialsFile = `${metricsToken}\n`;

beforeAll(async () => {
  tmux = new TestTmux();
  const dataDir = mkdtempSync(join(tmpdir(), 'tb-data-'));
  bridge = await startTestBridge(tmux, unitOptions(dataDir, tmux, metricsToken));
});
afterAll(async () => {
  await bridge?.close();
  await tmux?.kill();
});

describe('the shipped Prometheus job against the server the shipped unit starts', () => {
  it('scrapes metrics_path on the target port with the metrics token file', async () => {
    const port = new URL(bridge.url).port;
    const target = `${job.scheme ?? 'http'}://127.0.0.1:${port}${job.metrics_path}`;
    const response = await fetch(target, { headers: { authorization: `${job.authorization.type} ${credentialsFile.trim()}` } });
    expect(response.status).toBe(200);
    const m = parsePrometheus(await response.text());
    expect(m.value('tmux_bridge_tmux_control_connected')).toBe(1);
    expect(m.value('tmux_bridge_executions', { status: 'running' })).toBe(0);
    expect(m.types.get('tmux_bridge_execution_duration_seconds')).toBe('histogram');
    // The metrics token is good for nothing else.
    const api = await fetch(new URL('api/cli-sessions', bridge.url), { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(api.status).toBe(401);
  });
});
