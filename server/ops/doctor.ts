import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TmuxAddress } from '../../tmux/address.ts';
import { isSupported, MINIMUM_TMUX, parseTmuxVersion } from '../../tmux/version.ts';
import { loadAgentConfig } from '../agent/index.ts';
import type { BridgeOptions } from '../options.ts';
import { findOnPath, TOOL_BINARIES } from '../sessions/index.ts';
import { latestVersion, MIGRATIONS, JOURNAL_DIR, SNAPSHOT_FILE } from '../store/index.ts';
import { exposureChecks } from './exposure.ts';

export type CheckLevel = 'ok' | 'info' | 'warn' | 'fail';

export interface Check {
  readonly level: CheckLevel;
  readonly what: string;
  readonly detail: string;
  /** What to do about a warn or fail. */
  readonly fix?: string;
}

/** The socket file tmux uses for `-L name` (tmux's own rule: $TMUX_TMPDIR or /tmp, then tmux-<uid>). */
export function tmuxSocketFile(address: TmuxAddress): string {
  if (address.socketPath) return address.socketPath;
  const base = process.env.TMUX_TMPDIR || '/tmp';
  return join(base, `tmux-${process.getuid?.() ?? 0}`, address.socketName ?? 'default');
}

async function checkTmux(options: BridgeOptions): Promise<Check[]> {
  const address = new TmuxAddress({ socketName: options.socket, socketPath: options.socketPath, configFile: options.tmuxConfig });
  let output: string;
  try {
    output = (await execa(address.binary, ['-V'], { timeout: 5000, env: address.env() })).stdout;
  } catch {
    return [{ level: 'fail', what: 'tmux', detail: 'tmux is not installed (or not on PATH)', fix: `install tmux ${MINIMUM_TMUX.major}.${MINIMUM_TMUX.minor} or newer: sudo apt-get install tmux` }];
  }
  const version = parseTmuxVersion(output);
  const checks: Check[] = [];
  if (!version) checks.push({ level: 'fail', what: 'tmux', detail: `cannot read the version from "${output.trim()}"`, fix: 'install a released tmux' });
  else if (!isSupported(version)) {
    checks.push({ level: 'fail', what: 'tmux', detail: `tmux ${version.text} is too old`, fix: `upgrade to tmux ${MINIMUM_TMUX.major}.${MINIMUM_TMUX.minor} or newer` });
  } else checks.push({ level: 'ok', what: 'tmux', detail: `tmux ${version.text}` });

  const socketFile = tmuxSocketFile(address);
  const listed = await execa(address.binary, [...address.globalArgs(), 'list-sessions', '-F', '#{session_name}'], { timeout: 5000, env: address.env(), reject: false });
  if (listed.exitCode === 0) {
    const count = listed.stdout.split('\n').filter(Boolean).length;
    checks.push({ level: 'ok', what: 'tmux socket', detail: `${address.label} (${socketFile}): server running, ${count} session${count === 1 ? '' : 's'}` });
  } else if (/no server running|error connecting|No such file/i.test(listed.stderr)) {
    checks.push({ level: 'info', what: 'tmux socket', detail: `${address.label} (${socketFile}): no server yet; tmux-bridge starts one` });
  } else {
    checks.push({ level: 'fail', what: 'tmux socket', detail: `${address.label} (${socketFile}): ${listed.stderr.trim() || `exit ${listed.exitCode}`}`, fix: `check that ${socketFile} and its directory belong to you (mode 0700 directory)` });
  }
  return checks;
}

function modeText(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

async function checkDataDir(options: BridgeOptions): Promise<{ checks: Check[]; serverPid?: number }> {
  const dir = options.dataDir;
  const checks: Check[] = [];
  let info;
  try {
    info = await stat(dir);
  } catch {
    checks.push({ level: 'info', what: 'data directory', detail: `${dir} does not exist yet; it is created (mode 0700) on the first start` });
    return { checks };
  }
  if (!info.isDirectory()) return { checks: [{ level: 'fail', what: 'data directory', detail: `${dir} is not a directory`, fix: 'pass --data-dir with a directory' }] };
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    checks.push({ level: 'fail', what: 'data directory', detail: `${dir} belongs to uid ${info.uid}, not to you (uid ${uid})`, fix: `run tmux-bridge as the owner, or: sudo chown -R $(id -u):$(id -g) ${dir}` });
  } else if (info.mode & 0o077) {
    checks.push({ level: 'fail', what: 'data directory', detail: `${dir} is mode ${modeText(info.mode)}: others can read the access token and the state`, fix: `chmod 700 ${dir}` });
  } else {
    checks.push({ level: 'ok', what: 'data directory', detail: `${dir} (mode ${modeText(info.mode)})` });
  }
  for (const secret of ['token', 'approval-secret']) {
    const s = await stat(join(dir, secret)).catch(() => undefined);
    if (s && s.mode & 0o077) checks.push({ level: 'fail', what: 'secret file', detail: `${join(dir, secret)} is mode ${modeText(s.mode)}`, fix: `chmod 600 ${join(dir, secret)}` });
  }

  let serverPid: number | undefined;
  try {
    const lock = JSON.parse(readFileSync(join(dir, 'lock'), 'utf8')) as { pid?: number; host?: string };
    const pid = Number(lock.pid);
    let alive = lock.host !== hostname();
    if (!alive) {
      try {
        process.kill(pid, 0);
        alive = !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch (error) {
        alive = (error as NodeJS.ErrnoException).code === 'EPERM';
      }
    }
    if (alive) {
      serverPid = pid;
      checks.push({ level: 'info', what: 'data directory lock', detail: `held by a running tmux-bridge (pid ${pid}${lock.host !== hostname() ? ` on ${lock.host}` : ''})` });
    } else {
      checks.push({ level: 'warn', what: 'data directory lock', detail: `left by pid ${pid}, which is gone (it did not shut down cleanly)`, fix: 'nothing to do: the next start takes it over' });
    }
  } catch {
    checks.push({ level: 'ok', what: 'data directory lock', detail: 'free (no server running on it)' });
  }

  const snapshot = await readFile(join(dir, SNAPSHOT_FILE)).catch(() => undefined);
  if (snapshot && snapshot.length >= 100) {
    // PRAGMA user_version is the big-endian u32 at byte 60 of the SQLite header.
    const version = snapshot.readUInt32BE(60);
    const latest = latestVersion(MIGRATIONS);
    if (version > latest) checks.push({ level: 'fail', what: 'state', detail: `schema version ${version} is newer than this build knows (${latest})`, fix: 'upgrade tmux-bridge, or restore a backup made by this version' });
    else checks.push({ level: 'ok', what: 'state', detail: `schema version ${version}${version < latest ? ` (upgraded to ${latest} on start)` : ''}, snapshot ${snapshot.length} bytes` });
  }
  const segments = await readdir(join(dir, JOURNAL_DIR)).catch(() => [] as string[]);
  let journalBytes = 0;
  for (const name of segments) journalBytes += (await stat(join(dir, JOURNAL_DIR, name)).catch(() => undefined))?.size ?? 0;
  if (segments.length) checks.push({ level: 'info', what: 'journal', detail: `${segments.length} segment${segments.length === 1 ? '' : 's'}, ${journalBytes} bytes` });
  return { checks, serverPid };
}

async function checkApprovalDir(options: BridgeOptions): Promise<Check[]> {
  const loaded = await loadAgentConfig({ hostsPath: options.config, policyPath: options.policy, socketName: options.socket });
  if (!loaded.ok) {
    const first = loaded.errors[0]!;
    return [{ level: 'fail', what: 'agent config', detail: `${first.file}:${first.line}:${first.column}: ${first.path} ${first.message}`, fix: 'fix the file (all problems are listed at start)' }];
  }
  const checks: Check[] = [];
  if (options.config || options.policy) checks.push({ level: 'ok', what: 'agent config', detail: [options.config, options.policy].filter(Boolean).join(', ') });
  const dir = loaded.config.approvalDir;
  const info = await stat(dir).catch(() => undefined);
  if (!info) return [...checks, { level: 'info', what: 'approval directory', detail: `${dir} does not exist yet; created on the first approval request` }];
  const uid = process.getuid?.();
  if (info.mode & 0o002) {
    checks.push({ level: 'fail', what: 'approval directory', detail: `${dir} is world-writable (${modeText(info.mode)}): anyone on this machine can approve a stage`, fix: `chmod 700 ${dir}` });
  } else if (uid !== undefined && info.uid !== uid) {
    checks.push({ level: 'fail', what: 'approval directory', detail: `${dir} belongs to uid ${info.uid}`, fix: `sudo chown -R $(id -u) ${dir}` });
  } else if (info.mode & 0o020) {
    checks.push({ level: 'warn', what: 'approval directory', detail: `${dir} is group-writable (${modeText(info.mode)}): the group can approve stages`, fix: `chmod g-w ${dir} if that is not intended` });
  } else {
    checks.push({ level: 'ok', what: 'approval directory', detail: `${dir} (mode ${modeText(info.mode)})` });
  }
  return checks;
}

async function checkTools(): Promise<Check[]> {
  const found: string[] = [];
  const missing: string[] = [];
  for (const bin of TOOL_BINARIES) ((await findOnPath(bin)) ? found : missing).push(bin);
  return [
    {
      level: 'info',
      what: 'tool CLIs',
      detail: `installed: ${found.join(', ') || 'none'}; not on PATH: ${missing.join(', ') || 'none'}`,
    },
  ];
}

async function checkPort(options: BridgeOptions, serverPid: number | undefined): Promise<Check[]> {
  if (options.port === 0) return [{ level: 'info', what: 'port', detail: 'port 0: a free one is picked at start' }];
  const where = `${options.host}:${options.port}`;
  const problem = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen(options.port, options.host, () => server.close(() => resolve(undefined)));
  });
  if (!problem) return [{ level: 'ok', what: 'port', detail: `${where} is free` }];
  if (problem.code === 'EADDRINUSE' && serverPid !== undefined) {
    return [{ level: 'info', what: 'port', detail: `${where} is in use, probably by the running tmux-bridge (pid ${serverPid})` }];
  }
  if (problem.code === 'EADDRINUSE') return [{ level: 'fail', what: 'port', detail: `${where} is in use by another program`, fix: `pick another with --port, or find it: ss -ltnp 'sport = :${options.port}'` }];
  if (problem.code === 'EADDRNOTAVAIL') return [{ level: 'fail', what: 'port', detail: `${options.host} is not an address of this machine`, fix: 'use --host 127.0.0.1 (behind a proxy) or an address from `ip addr`' }];
  if (problem.code === 'EACCES') return [{ level: 'fail', what: 'port', detail: `${where}: ports below 1024 need privileges`, fix: 'use a port above 1024 and put nginx or Caddy on 443' }];
  return [{ level: 'fail', what: 'port', detail: `${where}: ${problem.message}` }];
}

function checkNode(): Check {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return ok
    ? { level: 'ok', what: 'node', detail: `Node.js ${process.versions.node}` }
    : { level: 'fail', what: 'node', detail: `Node.js ${process.versions.node} is too old`, fix: 'install Node.js 20.19 or newer (22 LTS recommended)' };
}

/** Every check, in the order they are printed. */
export async function runDoctor(options: BridgeOptions): Promise<Check[]> {
  const data = await checkDataDir(options);
  return [
    checkNode(),
    ...(await checkTmux(options)),
    ...data.checks,
    ...(await checkApprovalDir(options)),
    ...(await checkTools()),
    ...(await checkPort(options, data.serverPid)),
    ...(await exposureChecks(options)),
  ];
}

const LABEL: Record<CheckLevel, string> = { ok: 'ok  ', info: 'info', warn: 'WARN', fail: 'FAIL' };

export function formatChecks(checks: readonly Check[]): string {
  const lines: string[] = [];
  for (const check of checks) {
    lines.push(`${LABEL[check.level]}  ${check.what}: ${check.detail}`);
    if (check.fix && (check.level === 'warn' || check.level === 'fail')) lines.push(`      fix: ${check.fix}`);
  }
  const failed = checks.filter((c) => c.level === 'fail').length;
  const warned = checks.filter((c) => c.level === 'warn').length;
  lines.push('', failed ? `${failed} problem${failed === 1 ? '' : 's'} to fix${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}` : `no problems${warned ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}`);
  return lines.join('\n');
}
