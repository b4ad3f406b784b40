import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { importTmuxagent, Store } from './store/index.ts';
import { fileAndDataDir } from './ops/index.ts';

const USAGE = `Usage: tmux-bridge import-tmuxagent FILE [--data-dir DIR]

Imports a tmuxagent state.db (pane offsets, stage state, approval tokens) into the
data directory (default ./data, or TMUX_BRIDGE_DATA). Run it while the server is stopped.`;

/** `tmux-bridge import-tmuxagent ~/.tmux_agent/state.db` */
export async function importCommand(argv: readonly string[]): Promise<void> {
  const args = fileAndDataDir(argv, USAGE);
  if (!args) return;
  const { file, dataDir } = args;
  const path = resolve(file.replace(/^~(?=\/)/, process.env.HOME ?? '~'));
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  const store = await Store.open({ dataDir });
  try {
    const counts = await importTmuxagent(store, path);
    console.log(
      `imported from ${path}: ${counts.paneOffsets} pane offsets, ${counts.stageState} stage states, ${counts.approvalTokens} approval tokens` +
        (counts.missingTables.length ? ` (no ${counts.missingTables.join(', ')} table in the file)` : '') +
        (counts.skipped.length ? `; skipped ${counts.skipped.length} invalid rows` : ''),
    );
  } finally {
    await store.close();
  }
}
