import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The access token: `<dataDir>/token` (mode 0600), created on first start, or
 * given by TMUX_BRIDGE_TOKEN. Whoever has it has a shell on this machine.
 */
export async function loadOrCreateToken(dataDir: string, given?: string): Promise<string> {
  if (given) return given;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'token');
  try {
    const token = (await readFile(path, 'utf8')).trim();
    if (token.length >= 16) {
      const mode = (await stat(path)).mode & 0o777;
      if (mode & 0o077) await chmod(path, 0o600);
      return token;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = randomBytes(24).toString('base64url');
  await writeFile(path, `${token}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return token;
}

/** Constant-time comparison that does not leak the token's length either. */
export function tokenMatches(expected: string, candidate: string | undefined): boolean {
  if (!candidate) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(candidate).digest();
  return timingSafeEqual(a, b);
}
