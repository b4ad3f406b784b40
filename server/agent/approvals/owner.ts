/** Names the user behind a uid for the approval record: `uid 1000 (alice)`. */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';

async function userName(uid: number): Promise<string | null> {
  try {
    if (uid === process.getuid?.()) return userInfo().username;
  } catch {
    // No passwd entry for ourselves (containers): fall through to the file.
  }
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  for (const line of passwd.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id !== undefined && Number(id) === uid) return name;
  }
  return null;
}

/** What `decidedBy` records for a decision written into a request file. */
export async function describeUid(uid: number | null): Promise<string> {
  if (uid === null) return 'request file';
  const name = await userName(uid);
  return name ? `uid ${uid} (${name})` : `uid ${uid}`;
}
