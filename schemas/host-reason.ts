/**
 * Why a host is not connected, in English (the `reason` API users, logs and tests
 * read) and as a code with its free parts (what the UI words in its language).
 * The tmux client and the engine build the words here; `hostReasonOf` reads any
 * reason back. Free parts (the host, what ssh or tmux said) stay as they were.
 */

import { readTextPattern, type TextPattern } from './text-patterns.ts';

const CONTROL_HINT = 'tmux 3.2 or newer is needed for live output';

/** The English words of each reason the bridge gives for a host. */
export const hostReasonText = {
  connecting: () => 'connecting…',
  settingsChanged: () => 'its settings in hosts.yaml changed',
  auth: (where: string, said: string) =>
    `authentication failed for ${where} (${said}): the key in hosts.yaml (ssh.key) must be in the remote user's authorized_keys; passwords are never used`,
  hostKey: (where: string, said: string, host: string, port: number) =>
    `host key of ${where} is unknown or changed (${said}): add it to known_hosts (ssh-keyscan -p ${port} ${host}), or set ssh.accept_new_host_key: true to record it on the first connection`,
  unreachable: (where: string, said: string) => `cannot reach ${where}: ${said || 'the connection was lost'}`,
  remote: (where: string, said: string, exitCode: number | null) => `on ${where}: ${said || `exit code ${exitCode}`}`,
  noControl: (why: string) => `tmux control mode is not available on the host (${why}); ${CONTROL_HINT}`,
  polling: (why: string) => `${why}; polling with captures instead`,
};

export type HostReasonCode =
  | 'connecting'
  | 'settings_changed'
  | 'auth'
  | 'host_key'
  | 'unreachable'
  | 'connection_lost'
  | 'remote'
  | 'remote_exit'
  | 'no_control'
  | 'polling';

/** A reason taken apart; `why` of no_control and polling is itself a reason (read it with hostReasonOf again). */
export interface HostReason {
  readonly code: HostReasonCode;
  readonly params: Readonly<Record<string, string>>;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PATTERNS: ReadonlyArray<TextPattern<HostReasonCode>> = [
  ['connecting', new RegExp(`^${escape(hostReasonText.connecting())}$`), []],
  ['settings_changed', new RegExp(`^${escape(hostReasonText.settingsChanged())}$`), []],
  ['polling', /^(.*); polling with captures instead$/s, ['why']],
  ['no_control', new RegExp(`^tmux control mode is not available on the host \\((.*)\\); ${escape(CONTROL_HINT)}$`, 's'), ['why']],
  ['auth', /^authentication failed for (\S+) \((.*)\): the key in hosts\.yaml \(ssh\.key\) must be in the remote user's authorized_keys; passwords are never used$/s, ['where', 'said']],
  ['host_key', /^host key of (\S+) is unknown or changed \((.*)\): add it to known_hosts \((ssh-keyscan -p \d+ \S+)\), or set ssh\.accept_new_host_key: true to record it on the first connection$/s, ['where', 'said', 'command']],
  ['connection_lost', /^cannot reach (\S+): the connection was lost$/, ['where']],
  ['unreachable', /^cannot reach (\S+): (.*)$/s, ['where', 'said']],
  ['remote_exit', /^on (\S+): exit code (\S+)$/, ['where', 'code']],
  ['remote', /^on (\S+): (.*)$/s, ['where', 'said']],
];

/** The code and parameters of a reason the bridge wrote; null for other text (a tmux error as it came). */
export function hostReasonOf(text: string | null | undefined): HostReason | null {
  return readTextPattern(PATTERNS, text);
}
