/**
 * How the bridge runs OpenSSH for a remote tmux host: never a password or a prompt
 * (`BatchMode=yes`), host keys checked (new keys accepted only when the host says so),
 * keep-alives so a dead network is noticed, and one master connection per host that
 * every other channel (stream clients, shell actions) is multiplexed over.
 */
import { shellQuote } from './command.ts';
import { hostReasonText } from '../schemas/host-reason.ts';

export interface SshTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string | null;
  /** Private key file; null = ssh's own defaults (agent, ~/.ssh/id_*). */
  readonly key: string | null;
  readonly timeoutSec: number;
  /** known_hosts file; null = ssh's default (~/.ssh/known_hosts). */
  readonly knownHosts: string | null;
  /** `StrictHostKeyChecking=accept-new` instead of `yes`: a first connection records the key. */
  readonly acceptNewHostKey: boolean;
}

/** Seconds between keep-alives, and how many may go unanswered before ssh gives up. */
export const KEEPALIVE_SEC = 10;
export const KEEPALIVE_COUNT = 3;

export function sshDestination(target: SshTarget): string {
  if (target.host.startsWith('-') || /\s/.test(target.host) || (target.user && /^-|\s|@/.test(target.user))) {
    throw new Error(`invalid ssh host or user "${target.user ?? ''}@${target.host}"`);
  }
  return target.user ? `${target.user}@${target.host}` : target.host;
}

/** Options common to every ssh process of a host (before the destination). */
export function sshOptions(target: SshTarget): string[] {
  const args = [
    '-o', 'BatchMode=yes',
    '-o', 'PasswordAuthentication=no',
    '-o', 'KbdInteractiveAuthentication=no',
    '-o', `ConnectTimeout=${target.timeoutSec}`,
    '-o', `ServerAliveInterval=${KEEPALIVE_SEC}`,
    '-o', `ServerAliveCountMax=${KEEPALIVE_COUNT}`,
    '-o', `StrictHostKeyChecking=${target.acceptNewHostKey ? 'accept-new' : 'yes'}`,
    '-p', String(target.port),
  ];
  if (target.knownHosts) args.push('-o', `UserKnownHostsFile=${target.knownHosts}`);
  if (target.key) args.push('-i', target.key, '-o', 'IdentitiesOnly=yes');
  return args;
}

/** The master: owns the TCP connection and the control socket, and runs `remoteCommand`. */
export function masterArgs(target: SshTarget, controlPath: string, remoteCommand: string): string[] {
  return [...sshOptions(target), '-T', '-o', 'ControlMaster=yes', '-o', `ControlPath=${controlPath}`, '-o', 'ControlPersist=no', '--', sshDestination(target), remoteCommand];
}

/** A channel over the master's connection; never opens a connection of its own. */
export function channelArgs(target: SshTarget, controlPath: string, remoteCommand: string, tty = false): string[] {
  return [...sshOptions(target), tty ? '-tt' : '-T', '-o', 'ControlMaster=no', '-o', `ControlPath=${controlPath}`, '--', sshDestination(target), remoteCommand];
}

/** Words for the remote shell, each quoted: ssh joins its arguments into one shell command line. */
export function remoteCommand(words: readonly string[]): string {
  return words.map((word) => shellQuote(word)).join(' ');
}

/** What a person types to attach to a remote session natively. */
export function sshAttachCommand(target: SshTarget, tmuxWords: readonly string[]): string {
  const parts = ['ssh', '-t'];
  if (target.port !== 22) parts.push('-p', String(target.port));
  if (target.key) parts.push('-i', shellQuote(target.key));
  parts.push(shellQuote(sshDestination(target)), shellQuote(remoteCommand(tmuxWords)));
  return parts.join(' ');
}

export type SshFailureKind = 'auth' | 'host-key' | 'unreachable' | 'remote';

/** What went wrong, from ssh's exit code and stderr, with what to do about it. */
export function classifySshFailure(target: SshTarget, exitCode: number | null, stderr: string): { kind: SshFailureKind; message: string } {
  const where = `${target.user ? `${target.user}@` : ''}${target.host}:${target.port}`;
  const said = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('Warning: Permanently added'))
    .slice(-3)
    .join(' ');
  if (/Permission denied|Too many authentication failures|no mutual signature/i.test(stderr)) return { kind: 'auth', message: hostReasonText.auth(where, said) };
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key for .* has changed|No .* host key is known/i.test(stderr)) {
    return { kind: 'host-key', message: hostReasonText.hostKey(where, said, target.host, target.port) };
  }
  if (exitCode === 255 || exitCode === null) return { kind: 'unreachable', message: hostReasonText.unreachable(where, said) };
  return { kind: 'remote', message: hostReasonText.remote(where, said, exitCode) };
}
