import { execa } from 'execa';
import type { TmuxAddress } from './address.ts';
import type { TmuxCommand } from './command.ts';
import { TmuxCommandError } from './errors.ts';

/** One-shot `tmux ...` process, for start-up checks and rare commands. Not for hot paths. */
export async function execTmux(address: TmuxAddress, command: TmuxCommand, timeoutMs = 10_000): Promise<string> {
  const args = [...address.globalArgs(), ...command];
  const result = await execa(address.binary, args, {
    env: address.env(),
    extendEnv: false,
    reject: false,
    timeout: timeoutMs,
    stdin: 'ignore',
  });
  if (result.failed) {
    const output = `${result.stderr || result.stdout || result.shortMessage}`.trim();
    throw new TmuxCommandError([address.binary, ...args].join(' '), output);
  }
  return result.stdout;
}
