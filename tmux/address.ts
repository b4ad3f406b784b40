import { shellQuote } from './command.ts';

export interface TmuxAddressOptions {
  /** `tmux -L <name>`; `default` means the user's own default server. */
  readonly socketName?: string;
  /** `tmux -S <path>`; wins over socketName. */
  readonly socketPath?: string;
  /** Config file for a server that this address starts (`tmux -f`); unset means tmux's own default. */
  readonly configFile?: string;
  readonly binary?: string;
}

/** Which tmux server to talk to, and how to spell that on a command line. */
export class TmuxAddress {
  readonly binary: string;
  readonly socketName: string | undefined;
  readonly socketPath: string | undefined;
  readonly configFile: string | undefined;

  constructor(options: TmuxAddressOptions = {}) {
    this.binary = options.binary ?? 'tmux';
    this.socketPath = options.socketPath;
    this.socketName = options.socketPath ? undefined : options.socketName ?? 'tmux-bridge';
    this.configFile = options.configFile;
    if (this.socketName !== undefined && !/^[A-Za-z0-9_.-]+$/.test(this.socketName)) {
      throw new Error(`invalid tmux socket name "${this.socketName}": use letters, digits, _ . -`);
    }
  }

  /** Human label: the socket name, `default`, or the socket path. */
  get label(): string {
    return this.socketPath ?? this.socketName ?? 'default';
  }

  get isDefaultServer(): boolean {
    return this.socketPath === undefined && this.socketName === 'default';
  }

  /** Arguments that go before the tmux command. */
  globalArgs(): string[] {
    const args: string[] = [];
    if (this.socketPath) args.push('-S', this.socketPath);
    else if (this.socketName && this.socketName !== 'default') args.push('-L', this.socketName);
    if (this.configFile) args.push('-f', this.configFile);
    return args;
  }

  /** What a person types to attach natively to a session. */
  attachCommand(sessionName: string): string {
    const parts = [this.binary];
    if (this.socketPath) parts.push('-S', shellQuote(this.socketPath));
    else if (this.socketName && this.socketName !== 'default') parts.push('-L', this.socketName);
    parts.push('attach', '-t', shellQuote(`=${sessionName}`));
    return parts.join(' ');
  }

  /** Environment for tmux processes: never inherit the caller's own tmux client. */
  env(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    delete env.TMUX;
    delete env.TMUX_PANE;
    return env;
  }
}
