/**
 * Approval directories (issue 9, item 7): a directory others can write to lets them
 * approve stages, so the bridge refuses to start with one; `bridge.approvals.file:
 * false` turns file decisions off (web and signed links only) and needs no directory.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startAgentBridge, writeAgentFiles, type AgentFiles } from '../helpers/agent.ts';
import { TestTmux } from '../helpers/tmux.ts';
import { AgentConfigView } from '../../schemas/index.ts';

let tmux: TestTmux;
const dirs: string[] = [];

beforeAll(() => {
  tmux = new TestTmux();
});

afterAll(async () => {
  await tmux?.kill();
  for (const dir of dirs) removeDir(dir);
});

function files(extra = ''): AgentFiles {
  const written = writeAgentFiles(`approval_dir: {APPROVALS}\nnotify: stdout\nhosts:\n  - name: local\n    tmux: {socket: ${tmux.socketName}}\n${extra}`, 'pipelines: []\n');
  dirs.push(written.dir);
  mkdirSync(written.approvalDir);
  chmodSync(written.approvalDir, 0o777);
  return written;
}

describe('approval directory at start', () => {
  it('refuses to start with a world-writable approval directory, saying what to do', async () => {
    const f = files();
    await expect(startAgentBridge(tmux, f)).rejects.toThrow(/approval directory .*approvals is writable by every user \(mode 0777\).*chmod 700.*bridge\.approvals\.file: false/s);
  });

  it('starts with approvals.file: false, reports it, and writes no request file', async () => {
    const f = files('bridge:\n  approvals: {file: false}\n');
    const agent = await startAgentBridge(tmux, f);
    try {
      const { status, body } = await agent.bridge.api.get('/api/agent/config', AgentConfigView);
      expect(status).toBe(200);
      expect(body.bridge.fileApprovals).toBe(false);
      expect(existsSync(join(f.approvalDir, 'local'))).toBe(false);
    } finally {
      await agent.close();
    }
  });
});
