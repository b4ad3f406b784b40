import type { SessionHosts } from '../../sessions/index.ts';

type Hosts = Pick<SessionHosts, 'endpointOf'>;

/** What a session's pane runs, asked of tmux now: the monitor's copy is up to one poll old. */
export async function currentCommand(hub: Hosts, key: string, paneId: string, known: string): Promise<string> {
  try {
    const [line] = await hub.endpointOf(key).control.run(['display-message', '-p', '-t', paneId, '#{pane_current_command}']);
    return line ?? known;
  } catch {
    return known;
  }
}

/** The cursor's column in a session's pane (0 when tmux cannot say). */
export async function cursorX(hub: Hosts, key: string, paneId: string): Promise<number> {
  try {
    const [line] = await hub.endpointOf(key).control.run(['display-message', '-p', '-t', paneId, '#{cursor_x}']);
    return Number(line ?? 0) || 0;
  } catch {
    return 0;
  }
}

/**
 * The pane's text (history included) after the line that typed `script`, without the next prompt;
 * undefined when tmux cannot say or the line is gone. For runs on the bridge's own server.
 */
export async function textAfterTyped(hub: Pick<SessionHosts, 'tmux'>, paneId: string, script: string): Promise<string | undefined> {
  let lines: string[];
  try {
    lines = await hub.tmux.control.run(['capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', paneId]);
  } catch {
    return undefined;
  }
  const at = lines.findLastIndex((line) => line.includes(script));
  if (at < 0) return undefined;
  // What stands before the typed `bash <script>` is the prompt (the script may be quoted or not).
  const typedAt = lines[at]!.lastIndexOf(' bash ', lines[at]!.indexOf(script));
  const prompt = typedAt >= 0 ? lines[at]!.slice(0, typedAt).trimEnd() : '';
  const after = lines.slice(at + 1);
  while (after.length > 0 && (after.at(-1)!.trim() === '' || (prompt !== '' && after.at(-1)!.trimEnd() === prompt))) after.pop();
  return after.join('\n');
}
