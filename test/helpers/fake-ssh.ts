/**
 * A fake `ssh` for agent tests, put first on PATH: it records its arguments, refuses
 * to run without `-o BatchMode=yes` (as tmuxagent's remote calls always had it), and
 * runs the remote command here with `sh -c` — against a real tmux server.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class FakeSsh {
  readonly dir = mkdtempSync(join(tmpdir(), 'tb-fake-ssh-'));
  readonly log = join(this.dir, 'calls.log');

  constructor() {
    const script = `#!/bin/sh
batch=no
for arg in "$@"; do
  [ "$arg" = "BatchMode=yes" ] && batch=yes
  printf '%s\\n' "$arg" >> '${this.log}'
  last="$arg"
done
printf -- '---\\n' >> '${this.log}'
if [ "$batch" != yes ]; then
  echo "fake ssh: BatchMode=yes is missing" >&2
  exit 255
fi
exec sh -c "$last"
`;
    writeFileSync(join(this.dir, 'ssh'), script);
    chmodSync(join(this.dir, 'ssh'), 0o755);
  }

  /** PATH with the fake ssh first. */
  path(): string {
    return `${this.dir}:${process.env.PATH ?? ''}`;
  }

  /** Every call's argument vector, oldest first. */
  calls(): string[][] {
    if (!existsSync(this.log)) return [];
    return readFileSync(this.log, 'utf8')
      .split('---\n')
      .filter((call) => call.length > 0)
      .map((call) => call.replace(/\n$/, '').split('\n'));
  }
}
