import { resolve } from 'node:path';
import { BridgeOptions, parseServeArgs, resolveOptions } from '../options.ts';
import { backupDataDir, restoreDataDir } from '../store/index.ts';
import { formatChecks, runDoctor } from './doctor.ts';

const BACKUP_USAGE = `Usage: tmux-bridge backup FILE [--data-dir DIR]

Writes a consistent copy of the state (sessions, events, audit log, agent state)
to FILE, a SQLite file. Safe while the server runs. The access token and the
approval-link secret are not in it (they stay in the data directory).`;

const RESTORE_USAGE = `Usage: tmux-bridge restore FILE [--data-dir DIR]

Puts a backup in place in an empty (or new) data directory; start the server on
it afterwards. A backup from an older version is upgraded on that start.`;

/**
 * `FILE [--data-dir DIR]` of the commands that work on a data directory (backup, restore,
 * import-tmuxagent); the directory's variable and default are the serve option's.
 */
export function fileAndDataDir(argv: readonly string[], usage: string): { file: string; dataDir: string } | undefined {
  let file: string | undefined;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      console.log(usage);
      return undefined;
    }
    if (arg === '--data-dir') {
      const value = argv[++i];
      if (!value) throw new Error('--data-dir needs a directory');
      args.push('--data-dir', value);
    } else if (arg.startsWith('--data-dir=')) args.push(arg);
    else if (arg.startsWith('-')) throw new Error(`unknown option "${arg}"\n\n${usage}`);
    else if (!file) file = arg;
    else throw new Error(`unexpected argument "${arg}"\n\n${usage}`);
  }
  if (!file) throw new Error(`which file?\n\n${usage}`);
  return { file, dataDir: resolve(BridgeOptions.shape.dataDir.parse(parseServeArgs(args, process.env).dataDir)) };
}

export async function backupCommand(argv: readonly string[]): Promise<void> {
  const args = fileAndDataDir(argv, BACKUP_USAGE);
  if (!args) return;
  const result = await backupDataDir(args.dataDir, args.file);
  console.log(`backup of ${args.dataDir} written to ${result.file}: ${result.bytes} bytes, up to journal entry ${result.lsn}, schema version ${result.schemaVersion}`);
}

export async function restoreCommand(argv: readonly string[]): Promise<void> {
  const args = fileAndDataDir(argv, RESTORE_USAGE);
  if (!args) return;
  const result = await restoreDataDir(args.file, args.dataDir);
  console.log(`restored ${resolve(args.file)} into ${result.dataDir} (journal entry ${result.lsn}, schema version ${result.schemaVersion}); start tmux-bridge with --data-dir ${result.dataDir}`);
}

/** `tmux-bridge doctor [serve options]`: exit code 1 when something must be fixed. */
export async function doctorCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('Usage: tmux-bridge doctor [the options you serve with]\n\nChecks tmux, the data directory, approval directories, tool CLIs, the port and the Host/TLS settings, and says what to fix.');
    return 0;
  }
  const options = resolveOptions(parseServeArgs(argv, process.env));
  const checks = await runDoctor(options);
  console.log(formatChecks(checks));
  return checks.some((c) => c.level === 'fail') ? 1 : 0;
}
