import { FLAG_HELP, parseServeArgs } from './options.ts';
import { startBridge, VERSION } from './bridge.ts';

const USAGE = `tmux-bridge ${VERSION}: every CLI session a real tmux pane, in the browser and in tmux attach.

Usage:
  tmux-bridge [serve] [options]          serve the workbench (default)
  tmux-bridge import-tmuxagent FILE      import a tmuxagent state.db into the data directory
  tmux-bridge --help | --version

${FLAG_HELP}`;

async function serve(argv: string[]): Promise<void> {
  const bridge = await startBridge(parseServeArgs(argv, process.env));
  console.log(`tmux-bridge listening on ${bridge.url}`);
  console.log(`open ${bridge.loginUrl}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    if (!bridge.options.quiet) console.error(`${signal}: stopping; tmux sessions keep running`);
    bridge.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
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
  if (first === 'import-tmuxagent') {
    throw new Error(`import-tmuxagent is not available in this build (${rest.join(' ')})`);
  }
  return serve(argv);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`tmux-bridge: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
