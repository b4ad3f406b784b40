import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigWatcher, loadAgentConfig, type AgentConfig, type ConfigRejected, type ConfigReloaded } from '../../server/agent/config/index.ts';
import { nextEvent } from '../../base/emitter.ts';

const policyText = (stage: string) => `pipelines:\n  - name: ci\n    stages:\n      - name: ${stage}\n        triggers: {any_of: [{log_regex: "(?i)go"}]}\n`;

let dir: string;
let policyPath: string;
let hostsPath: string;
let watcher: ConfigWatcher | undefined;

async function start(options: { pollMs?: number } = {}): Promise<{ watcher: ConfigWatcher; initial: AgentConfig }> {
  const result = await loadAgentConfig({ hostsPath, policyPath });
  if (!result.ok) throw new Error('initial config should load');
  watcher = new ConfigWatcher(result.config, { hostsPath, policyPath, debounceMs: 20, pollMs: options.pollMs ?? 0 });
  return { watcher, initial: result.config };
}

const stageNames = (config: AgentConfig) => config.policy.pipelines[0]?.stages.map((s) => s.name);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tb-agent-watch-'));
  policyPath = join(dir, 'policy.yaml');
  hostsPath = join(dir, 'hosts.yaml');
  writeFileSync(policyPath, policyText('lint'));
  writeFileSync(hostsPath, 'notify: stdout\n');
});

afterEach(() => {
  watcher?.dispose();
  watcher = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('ConfigWatcher', () => {
  it('replaces the config when a file changes into a valid one (fs.watch)', async () => {
    const { watcher, initial } = await start();
    const reloaded = nextEvent<ConfigReloaded>(watcher.onReloaded);
    writeFileSync(policyPath, policyText('build'));
    const event = await reloaded;
    expect(stageNames(event.config)).toEqual(['build']);
    expect(stageNames(watcher.current)).toEqual(['build']);
    expect(event.config.hash).not.toBe(initial.hash);
  });

  it('picks up an editor-style save (write a temp file, rename it over the old one)', async () => {
    const { watcher } = await start();
    const reloaded = nextEvent<ConfigReloaded>(watcher.onReloaded);
    const temp = join(dir, '.policy.yaml.swp');
    writeFileSync(temp, policyText('test'));
    renameSync(temp, policyPath);
    expect(stageNames((await reloaded).config)).toEqual(['test']);
  });

  it('reports an invalid file with file:line and keeps the old config running', async () => {
    const { watcher } = await start();
    const rejected = nextEvent<ConfigRejected>(watcher.onError);
    writeFileSync(policyPath, 'pipelines:\n  - name: ci\n    stages:\n      - name: lint\n        require_approval: maybe\n');
    const event = await rejected;
    expect(event.errors[0]).toMatchObject({ file: policyPath, line: 5, path: 'pipelines[0].stages[0].require_approval' });
    expect(stageNames(event.current)).toEqual(['lint']);
    expect(stageNames(watcher.current)).toEqual(['lint']);

    // The same broken content again is not reported twice.
    expect(await watcher.check()).toBe('unchanged');

    // Fixed: the new config replaces the old one.
    const reloaded = nextEvent<ConfigReloaded>(watcher.onReloaded);
    writeFileSync(policyPath, policyText('fixed'));
    expect(stageNames((await reloaded).config)).toEqual(['fixed']);
  });

  it('treats a deleted file as an error and keeps the running config', async () => {
    const { watcher } = await start();
    rmSync(hostsPath);
    expect(await watcher.check()).toBe('rejected');
    expect(watcher.current.notify).toEqual(['stdout']);
  });

  it('check() is a no-op while the content is unchanged, and the poll finds changes without fs events', async () => {
    const { watcher } = await start();
    expect(await watcher.check()).toBe('unchanged');
    writeFileSync(hostsPath, 'notify: "stdout,webhook"\n');
    expect(await watcher.check()).toBe('reloaded');
    expect(watcher.current.notify).toEqual(['stdout', 'webhook']);
  });

  it('says the error is gone when a rejected edit is reverted to the running content', async () => {
    const { watcher } = await start();
    // fs.watch may run the check before check() does: wait for the events, not a return value.
    const rejected = nextEvent<ConfigRejected>(watcher.onError);
    writeFileSync(policyPath, 'pipelines: [');
    void watcher.check();
    await rejected;
    const reloaded = nextEvent<ConfigReloaded>(watcher.onReloaded);
    writeFileSync(policyPath, policyText('lint'));
    void watcher.check();
    expect(stageNames((await reloaded).config)).toEqual(['lint']);
  });
});
