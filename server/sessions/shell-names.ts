import { basename } from 'node:path';

/** Programs that sit at a prompt and run what is typed: executions type into panes running one of them. */
const SHELLS = new Set(['bash', 'sh', 'dash', 'zsh', 'fish', 'ksh', 'mksh', 'tcsh', 'csh', 'ash', 'busybox', 'nu', 'elvish', 'xonsh']);

/** `bash`, `/bin/zsh` and a login shell's `-bash` are shells; `vim` or `node` are not. */
export function isShellCommand(command: string): boolean {
  return SHELLS.has(basename(command.replace(/^-/, '')));
}
