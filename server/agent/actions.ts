/**
 * Carrying out a stage's `actions_on_start`.
 *
 * `send_keys` types the text into the pane followed by Enter; the typing itself is
 * the bridge's (`sendKeys`, injected: one tmux command over the control client per
 * action, never one per key). `shell` runs `bash -lc CMD` with a time limit — on the
 * host itself, or over ssh for a remote host, the way tmuxagent ran it — and keeps
 * the tail of its output for the event. With `dryRun` nothing runs; each action is
 * only reported.
 */
import { execa } from 'execa';
import type { SshConfig, StageAction } from '../../schemas/agent-config.ts';
import { shellQuote } from '../../tmux/command.ts';
import { errorMessage } from '../../base/errors.ts';

/** Output kept per action (the tail: that is where errors are). */
const OUTPUT_TAIL = 4096;

export interface ActionOutcome {
  readonly kind: StageAction['kind'];
  readonly command: string;
  readonly ok: boolean;
  readonly dryRun: boolean;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  /** stdout and stderr interleaved, last 4 KiB (shell only). */
  readonly output: string;
  readonly error: string | null;
  readonly durationMs: number;
}

export interface ActionContext {
  readonly paneId: string;
  /** null for the local machine. */
  readonly ssh: SshConfig | null;
  /** Types `text` into the pane, then Enter when `enter`. */
  readonly sendKeys: (paneId: string, text: string, options: { enter: boolean }) => Promise<void>;
  readonly shellTimeoutMs: number;
  readonly dryRun?: boolean;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** `ssh -o BatchMode=yes -o ConnectTimeout=N -p PORT [-i KEY] [USER@]HOST REMOTE` (tmuxagent's form). */
export function sshArgs(ssh: Pick<SshConfig, 'host' | 'port' | 'user' | 'key' | 'timeoutSec'> & Partial<Pick<SshConfig, 'knownHosts' | 'acceptNewHostKey'>>, remoteCommand: string): string[] {
  const args = ['-o', 'BatchMode=yes', '-o', `ConnectTimeout=${ssh.timeoutSec}`, '-p', String(ssh.port)];
  if (ssh.knownHosts) args.push('-o', `UserKnownHostsFile=${ssh.knownHosts}`);
  if (ssh.acceptNewHostKey) args.push('-o', 'StrictHostKeyChecking=accept-new');
  if (ssh.key) args.push('-i', ssh.key);
  args.push(ssh.user ? `${ssh.user}@${ssh.host}` : ssh.host, remoteCommand);
  return args;
}

function tail(text: string): string {
  return text.length > OUTPUT_TAIL ? `…${text.slice(-OUTPUT_TAIL)}` : text;
}

export async function runShellAction(command: string, ctx: Omit<ActionContext, 'sendKeys' | 'paneId'>): Promise<ActionOutcome> {
  const started = Date.now();
  if (ctx.dryRun) {
    return { kind: 'shell', command, ok: true, dryRun: true, exitCode: null, timedOut: false, output: '', error: null, durationMs: 0 };
  }
  const [file, args] = ctx.ssh ? ['ssh', sshArgs(ctx.ssh, `bash -lc ${shellQuote(command)}`)] : ['bash', ['-lc', command]];
  const result = await execa(file, args as string[], {
    all: true,
    reject: false,
    stdin: 'ignore',
    timeout: ctx.shellTimeoutMs,
    maxBuffer: 1024 * 1024,
    cwd: ctx.cwd,
    env: ctx.env,
  });
  const ok = !result.failed && result.exitCode === 0;
  let error: string | null = null;
  if (result.timedOut) error = `timed out after ${ctx.shellTimeoutMs} ms (raise bridge.shell_timeout_ms in hosts.yaml if it needs longer)`;
  else if (!ok) error = result.exitCode !== undefined ? `exited with code ${result.exitCode}` : (result.shortMessage ?? 'failed to start');
  return {
    kind: 'shell',
    command,
    ok,
    dryRun: false,
    exitCode: result.exitCode ?? null,
    timedOut: result.timedOut,
    output: tail(typeof result.all === 'string' ? result.all : ''),
    error,
    durationMs: Date.now() - started,
  };
}

/** Run a stage's actions in order; a failing action is reported and the next still runs (as in tmuxagent). */
export async function runActions(actions: readonly StageAction[], ctx: ActionContext): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = [];
  for (const action of actions) {
    if (action.kind === 'shell') {
      outcomes.push(await runShellAction(action.command, ctx));
      continue;
    }
    const started = Date.now();
    if (ctx.dryRun) {
      outcomes.push({ kind: 'send_keys', command: action.command, ok: true, dryRun: true, exitCode: null, timedOut: false, output: '', error: null, durationMs: 0 });
      continue;
    }
    try {
      await ctx.sendKeys(ctx.paneId, action.command, { enter: true });
      outcomes.push({ kind: 'send_keys', command: action.command, ok: true, dryRun: false, exitCode: null, timedOut: false, output: '', error: null, durationMs: Date.now() - started });
    } catch (error) {
      const message = errorMessage(error);
      outcomes.push({ kind: 'send_keys', command: action.command, ok: false, dryRun: false, exitCode: null, timedOut: false, output: '', error: message, durationMs: Date.now() - started });
    }
  }
  return outcomes;
}
