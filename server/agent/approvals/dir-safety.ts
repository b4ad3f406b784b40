/**
 * Whoever can write into the approval directory can approve a stage, so the bridge
 * creates it private (0700) and will not use one that another user can write to:
 * world-writable, owned by someone else, or reachable through a world-writable parent
 * without the sticky bit (where anyone could swap the directory for their own).
 */
import { lstat, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

function modeText(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/**
 * Why `dir` is not safe for approval files, or null when it is (or does not exist
 * yet: it is created 0700 on the first request).
 */
export async function approvalDirProblem(dir: string): Promise<string | null> {
  const path = resolve(dir);
  const uid = process.getuid?.();
  const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (info) {
    if (info.isSymbolicLink()) {
      // A link is fine only if what it points at passes the same checks.
      const target = await stat(path).catch(() => null);
      if (!target) return `approval directory ${path} is a dangling symbolic link`;
    }
    const real = info.isSymbolicLink() ? await stat(path) : info;
    if (!real.isDirectory()) return `approval directory ${path} is not a directory`;
    if (real.mode & 0o002) {
      return `approval directory ${path} is writable by every user (mode ${modeText(real.mode)}): anyone on this machine could approve a stage. Run: chmod 700 ${path}`;
    }
    if (uid !== undefined && real.uid !== uid && real.uid !== 0) {
      return `approval directory ${path} belongs to uid ${real.uid}, not to this user (uid ${uid}): its owner could approve a stage. Use a directory of your own`;
    }
  }
  // Parents: whoever can write one can swap the directory for their own. A world-writable
  // parent must be sticky (like /tmp); one owned by another user is theirs to change.
  for (let parent = dirname(path), child = path; parent !== child; child = parent, parent = dirname(parent)) {
    const p = await stat(parent).catch(() => null);
    if (!p) continue;
    if (p.mode & 0o002 && !(p.mode & 0o1000)) {
      return `approval directory ${path} is inside ${parent}, which every user can write to (mode ${modeText(p.mode)}): anyone could replace it. Move approval_dir elsewhere`;
    }
    if (uid !== undefined && p.uid !== uid && p.uid !== 0) {
      return `approval directory ${path} is inside ${parent}, which belongs to uid ${p.uid}: its owner could replace it. Move approval_dir elsewhere`;
    }
  }
  return null;
}

/** Create `dir` and any missing parents with mode 0700 (kept private whatever the umask). */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}
