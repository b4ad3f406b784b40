import { FLAG_HELP, parseServeArgs } from './options.ts';
import { startBridge } from './bridge.ts';
import { VERSION } from './version.ts';
import { startMetricsReport } from './metrics.ts';
import { installLastResort } from './last-resort.ts';
import { errorMessage } from '../base/errors.ts';

const USAGE = `tmux-bridge ${VERSION}: every CLI session a real tmux pane, in the browser and in tmux attach.

Usage:
  tmux-bridge [serve] [options]          serve the workbench (default)
  tmux-bridge doctor [options]           check tmux, data directory, port, TLS; say what to fix
  tmux-bridge backup FILE [--data-dir D] consistent copy of the state, also while serving
  tmux-bridge restore FILE [--data-dir D] put a backup into an empty data directory
  tmux-bridge import-tmuxagent FILE      import a tmuxagent state.db into the data directory
  tmux-bridge --help | --version

${FLAG_HELP}`;

async function serve(argv: string[]): Promise<void> {
  // Opt-in per-second event-loop delay, RSS and CPU on stderr (read by `npm run bench`).
  if (process.env.TMUX_BRIDGE_METRICS === '1') startMetricsReport();
  installLastResort((message) => console.error(`tmux-bridge: ${message}`));
  const bridge = await startBridge(parseServeArgs(argv, process.env));
  console.log(`tmux-bridge listening on ${bridge.url}`);
  console.log(`open ${bridge.loginUrl}`);
  let stopping = false;
  const stop = (reason: string, code: number) => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    if (!bridge.options.quiet || code !== 0) console.error(`${reason}: stopping; tmux sessions keep running`);
    bridge.close().then(
      () => process.exit(code),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT', 0));
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  bridge.onFatal((error) => stop(error.message, 1));
}

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    console.log(USAGE);
    return;
  }
  if (first === '--version' || first === '-v') {
    console.log(VERSION);
    return;
  }
  if (first === 'serve') return serve(rest);
  if (first === 'doctor') {
    const { doctorCommand } = await import('./ops/index.ts');
    process.exitCode = await doctorCommand(rest);
    return;
  }
  if (first === 'backup' || first === 'restore') {
    const { backupCommand, restoreCommand } = await import('./ops/index.ts');
    return first === 'backup' ? backupCommand(rest) : restoreCommand(rest);
  }
  if (first === 'import-tmuxagent') {
    const { importCommand } = await import('./cli-import.ts');
    return importCommand(rest);
  }
  return serve(argv);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`tmux-bridge: ${errorMessage(error)}`);
  process.exit(1);
});
