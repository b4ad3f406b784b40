import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * Fake coding-agent CLIs for tests: small bash scripts named like the real tools.
 * Each prints its argv on stderr (`ARGV: [a] [b]…`), sleeps `sleep=S` seconds and exits
 * with `exit=N` when the prompt says so (the last such word counts), waits for
 * `gate=NAME` until the test calls `openGate(dir, NAME)` (at most 120 s), prints an
 * answer (`ANSWER: <last line of the prompt>`) and its session id the way the
 * real tool does, and remembers its sessions in a state directory so that
 * resuming an unknown id fails like the real tool.
 */
export function writeFakeTools(tools: readonly ('claude' | 'codex' | 'gemini' | 'qwen')[] = ['claude', 'codex', 'gemini']): { dir: string; state: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tb-fake-tools-'));
  const state = join(dir, 'state');
  mkdirSync(state);
  const common = `
[ "$1" = --version ] && { echo "fake $(basename "$0") 1.0.0"; exit 0; }
state=${state}/$(basename "$0")
mkdir -p "$state"
{ printf 'ARGV:'; printf ' [%s]' "$@"; printf '\\n'; } >&2
knobs() {
  s=$(printf '%s\\n' "$prompt" | grep -o 'sleep=[0-9.]*' | tail -1 | cut -d= -f2)
  e=$(printf '%s\\n' "$prompt" | grep -o 'exit=[0-9]*' | tail -1 | cut -d= -f2)
  g=$(printf '%s\\n' "$prompt" | grep -o 'gate=[A-Za-z0-9_-]*' | tail -1 | cut -d= -f2)
  [ -n "$s" ] && sleep "$s"
  if [ -n "$g" ]; then i=0; while [ ! -e "${dir}/gate-$g" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done; fi
  last=$(printf '%s\\n' "$prompt" | tail -1)
}
newid() { cat /proc/sys/kernel/random/uuid; }
`;
  const scripts: Record<string, string> = {
    claude: `${common}
prompt=""; sid=""; resume=""
while [ $# -gt 0 ]; do case "$1" in -p) prompt="$2"; shift 2;; --session-id) sid="$2"; shift 2;; --resume) resume="$2"; shift 2;; *) shift;; esac; done
if [ -n "$resume" ]; then
  if [ ! -e "$state/$resume" ]; then echo "No conversation found with session ID: $resume" >&2; exit 1; fi
  sid="$resume"
fi
[ -z "$sid" ] && sid=$(newid)
if [ -z "$resume" ] && [ -e "$state/$sid" ]; then echo "Error: Session ID $sid is already in use." >&2; exit 1; fi
touch "$state/$sid"
knobs
printf '{"type":"system","subtype":"init","session_id":"%s"}\\n' "$sid"
printf '{"type":"result","subtype":"success","result":"ANSWER: %s","session_id":"%s"}\\n' "$last" "$sid"
exit "\${e:-0}"
`,
    codex: `${common}
[ "$1" = exec ] || { echo "fake codex: only exec" >&2; exit 2; }
shift
sid=""
if [ "$1" = resume ]; then
  sid="$2"; shift 2
  if [ ! -e "$state/$sid" ]; then echo "Error: no session found with id $sid" >&2; exit 1; fi
fi
prompt="$1"
[ -z "$sid" ] && sid=$(newid)
touch "$state/$sid"
echo "--------"
echo "session id: $sid"
echo "--------"
knobs
echo "ANSWER: $last"
exit "\${e:-0}"
`,
    gemini: `${common}
prompt=""; resume=""
while [ $# -gt 0 ]; do case "$1" in -p) prompt="$2"; shift 2;; -r) resume="$2"; shift 2;; *) shift;; esac; done
sid="$resume"
if [ -n "$resume" ] && [ ! -e "$state/$resume" ]; then echo "Error: session not found: $resume" >&2; exit 1; fi
[ -z "$sid" ] && sid=$(newid)
touch "$state/$sid"
knobs
echo "ANSWER: $last"
echo "Session ID: $sid"
exit "\${e:-0}"
`,
    qwen: `${common}
prompt=""
while [ $# -gt 0 ]; do case "$1" in -p) prompt="$2"; shift 2;; *) shift;; esac; done
knobs
echo "ANSWER: $last"
exit "\${e:-0}"
`,
  };
  for (const tool of tools) {
    const path = join(dir, tool);
    writeFileSync(path, `#!/bin/bash\n${scripts[tool]}`);
    chmodSync(path, 0o755);
  }
  return { dir, state };
}

/** Lets a fake tool waiting on `gate=NAME` go on. */
export function openGate(fakeDir: string, name: string): void {
  writeFileSync(join(fakeDir, `gate-${name}`), '');
}

/** PATH with the fake tools first and without any directory that holds a real one. */
export function pathWithFakes(fakeDir: string): string {
  return [fakeDir, ...(process.env.PATH ?? '').split(':').filter((d) => d && d !== fakeDir)].join(':');
}

/**
 * Fake tools for one test file: written now, first on PATH from a beforeAll (call this before
 * the hooks that start the bridge, so the server and its tmux server inherit that PATH), and
 * PATH restored and the files removed by the last afterAll.
 */
export function useFakeTools(tools: Parameters<typeof writeFakeTools>[0]): { dir: string; state: string } {
  const fakes = writeFakeTools(tools);
  const originalPath = process.env.PATH;
  beforeAll(() => {
    process.env.PATH = pathWithFakes(fakes.dir);
  });
  afterAll(() => {
    process.env.PATH = originalPath;
    rmSync(fakes.dir, { recursive: true, force: true });
  });
  return fakes;
}
