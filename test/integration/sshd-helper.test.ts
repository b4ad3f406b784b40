/** The test sshd itself: key login works, a wrong key is refused, an unknown host key is refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { TestSshd } from '../helpers/sshd.ts';

let sshd: TestSshd;
beforeAll(async () => {
  sshd = await new TestSshd().start();
});
afterAll(async () => {
  await sshd?.stop();
});

describe('test sshd', () => {
  it('lets the generated user key log in and runs the command', async () => {
    const result = await execa('ssh', [...sshd.sshArgs(), 'echo', 'remote-ok', '$((6*7))'], { reject: false, timeout: 20_000 });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('remote-ok 42');
  });

  it('refuses another key and an unknown host key, without hanging', async () => {
    const wrong = await execa('ssh', [...sshd.sshArgs(sshd.wrongKey), 'true'], { reject: false, timeout: 20_000 });
    expect(wrong.exitCode).toBe(255);
    expect(wrong.stderr).toMatch(/Permission denied/);
    const unknown = await execa('ssh', [...sshd.sshArgs(sshd.userKey, sshd.emptyKnownHosts), 'true'], { reject: false, timeout: 20_000 });
    expect(unknown.exitCode).toBe(255);
    expect(unknown.stderr).toMatch(/Host key verification failed/);
  });
});
