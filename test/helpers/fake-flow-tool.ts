import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fake coding agent for flow tests, declared as the custom tool `fakeagent` in a
 * data directory's tools.yaml (so the real tool registry and one-shot path run it).
 * Words in its prompt steer it:
 *   mark=FILE     appends a line to FILE when it starts (counts starts)
 *   wait=FILE     waits until FILE exists (a run that stays running until the test says)
 *   failonce=FILE fails (exit 1) the first time, when FILE does not exist yet
 *   exit=N        exits with N
 *   say=TEXT      prints TEXT (a word) as its answer
 */
export function writeFakeFlowTool(): { dir: string; bin: string; toolsYaml: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tb-fake-flow-'));
  const bin = join(dir, 'fakeagent');
  writeFileSync(
    bin,
    `#!/bin/bash
prompt="$*"
word() { printf '%s\\n' "$prompt" | tr ' ' '\\n' | grep "^$1=" | tail -1 | cut -d= -f2-; }
mark=$(word mark); wait=$(word wait); failonce=$(word failonce); code=$(word exit); say=$(word say)
[ -n "$mark" ] && echo started >> "$mark"
if [ -n "$wait" ]; then while [ ! -e "$wait" ]; do sleep 0.05; done; fi
if [ -n "$failonce" ] && [ ! -e "$failonce" ]; then touch "$failonce"; echo "failing once" >&2; exit 1; fi
[ -n "$say" ] && echo "$say"
exit "\${code:-0}"
`,
  );
  chmodSync(bin, 0o755);
  const toolsYaml = `tools:\n  fakeagent:\n    bin: ${JSON.stringify(bin)}\n    oneShot: ["{prompt}"]\n    install: "test/helpers/fake-flow-tool.ts writes it"\n`;
  return { dir, bin, toolsYaml };
}
