import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestTmux } from '../helpers/tmux.ts';
import { waitFor } from '../helpers/wait.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/**
 * The environment of a user's shell: no npm_* variables from the test runner and
 * no node_modules/.bin of the checkout on PATH, so nothing of the checkout leaks in.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key) && key !== 'TMUX' && key !== 'NODE_OPTIONS') env[key] = value;
  env.PATH = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.includes('node_modules')).join(delimiter);
  return env;
}

const work = mkdtempSync(join(tmpdir(), 'tb-pack-'));
const prefix = join(work, 'prefix');
const installed = join(prefix, 'lib', 'node_modules', 'tmux-bridge');
const command = join(prefix, 'bin', 'tmux-bridge');
let tmux: TestTmux;
let server: ChildProcess | undefined;

beforeAll(async () => {
  tmux = new TestTmux();
  // `npm pack` runs prepack (the client build: a no-op when dist/client is up to date).
  const packed = await execa('npm', ['pack', '--silent', '--pack-destination', work], { cwd: ROOT, env: userEnv(), extendEnv: false });
  const tarball = join(work, packed.stdout.trim().split('\n').pop()!);
  expect(existsSync(tarball)).toBe(true);
  // Dependencies come from npm's cache when it has them, from the registry otherwise.
  await execa('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel', 'error', tarball], {
    cwd: work,
    env: userEnv(),
    extendEnv: false,
  });
}, 300_000);

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    const gone = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    await gone;
  }
  await tmux?.kill();
  rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball installed with npm install -g', () => {
  it('ships the prebuilt client and server and their runtime, not the sources or the dev tools', () => {
    expect(existsSync(join(installed, 'dist', 'client', 'index.html'))).toBe(true);
    expect(readdirSync(join(installed, 'dist', 'client')).some((f) => f.endsWith('.map'))).toBe(false);
    // The server runs as plain JavaScript: no TypeScript sources, no loader.
    expect(existsSync(join(installed, 'dist', 'server', 'cli.js'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'server', 'snapshot-worker.js'))).toBe(true);
    expect(readdirSync(join(installed, 'dist', 'server')).some((f) => f.endsWith('.map'))).toBe(false);
    for (const dir of ['client', 'server', 'tmux', 'schemas', 'test', 'scripts']) expect(existsSync(join(installed, dir)), dir).toBe(false);
    for (const dep of ['express', 'sql.js', 'ws', 'zod', 'prom-client']) expect(existsSync(join(installed, 'node_modules', dep)), dep).toBe(true);
    for (const dev of ['tsx', 'esbuild', 'vitest', 'typescript', 'playwright-core', 'preact', '@xterm/xterm']) expect(existsSync(join(installed, 'node_modules', dev)), dev).toBe(false);
  });

  it('answers --version', async () => {
    const out = await execa(command, ['--version'], { cwd: work, env: userEnv(), extendEnv: false });
    expect(out.stdout.trim()).toBe(version);
  });

  it('serves the workbench UI on a private tmux server and data directory', async () => {
    const dataDir = join(work, 'data');
    mkdirSync(dataDir);
    let output = '';
    const child = spawn(command, ['--port', '0', '--socket', tmux.socketName, '--tmux-config', tmux.configFile, '--data-dir', dataDir], {
      cwd: work,
      env: userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    // The address and the login link are two lines, which may arrive in two reads.
    const [url, token] = await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`tmux-bridge exited with ${child.exitCode}:\n${output}`);
        const listening = /listening on (http:\/\/\S+)/.exec(output)?.[1];
        const login = /login\?token=(\S+)/.exec(output)?.[1];
        return listening && login ? [listening, decodeURIComponent(login)] : undefined;
      },
      'the installed tmux-bridge to listen and print its login link',
      60_000,
    );

    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script[^>]+src="\/?([^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const app = await fetch(new URL(script!, url));
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toMatch(/javascript/);
    expect((await app.text()).length).toBeGreaterThan(1000);

    // It runs on the private tmux server, and the API takes the printed token.
    const health = await (await fetch(new URL('healthz', url))).json();
    expect(health).toMatchObject({ ok: true, version, tmux: { socket: expect.stringContaining(tmux.socketName) } });
    const sessions = await fetch(new URL('api/cli-sessions', url), { headers: { authorization: `Bearer ${token}` } });
    expect(sessions.status).toBe(200);
    expect(await sessions.json()).toMatchObject({ sessions: expect.any(Array) });

    // Stopping writes the final snapshot through the snapshot worker (its own entry file in dist/server).
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).not.toMatch(/snapshot failed|snapshot worker (crashed|exited)/);
    expect(existsSync(join(dataDir, 'state.sqlite'))).toBe(true);
  });
});
