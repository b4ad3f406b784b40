import { execa } from 'execa';

export interface TmuxVersion {
  readonly text: string;
  readonly major: number;
  readonly minor: number;
}

export const MINIMUM_TMUX = { major: 3, minor: 2 } as const;

/** Parses `tmux -V` output such as `tmux 3.3a`, `tmux next-3.5`, `tmux 3.4-rc`. */
export function parseTmuxVersion(output: string): TmuxVersion | undefined {
  const match = /(\d+)\.(\d+)([a-z]?)/.exec(output);
  if (!match) return undefined;
  return { text: `${match[1]}.${match[2]}${match[3]}`, major: Number(match[1]), minor: Number(match[2]) };
}

export function isSupported(version: TmuxVersion): boolean {
  return version.major > MINIMUM_TMUX.major || (version.major === MINIMUM_TMUX.major && version.minor >= MINIMUM_TMUX.minor);
}

/** Finds tmux and checks it is new enough; throws an error that says what to do. */
export async function requireTmux(binary = 'tmux'): Promise<TmuxVersion> {
  let output: string;
  try {
    output = (await execa(binary, ['-V'], { timeout: 5000 })).stdout;
  } catch {
    throw new Error(
      `tmux was not found (tried "${binary}"). tmux-bridge needs tmux ${MINIMUM_TMUX.major}.${MINIMUM_TMUX.minor} or newer: ` +
        'install it (Debian/Ubuntu: sudo apt-get install tmux; macOS: brew install tmux).',
    );
  }
  const version = parseTmuxVersion(output);
  if (!version) throw new Error(`cannot read the tmux version from "${output.trim()}"`);
  if (!isSupported(version)) {
    throw new Error(
      `tmux ${version.text} is too old: tmux-bridge needs ${MINIMUM_TMUX.major}.${MINIMUM_TMUX.minor} or newer ` +
        '(send-keys -H, control-mode client flags, pane options). Please upgrade tmux.',
    );
  }
  return version;
}
