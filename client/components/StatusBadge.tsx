import type { CliSession } from '../../schemas/index.ts';
import { statusLabel } from '../lib/format.ts';

/** running / exited (code) / closed (code). */
export function StatusBadge({ session }: { session: Pick<CliSession, 'status' | 'exitCode'> }) {
  const failed = session.status !== 'running' && session.exitCode !== null && session.exitCode !== 0;
  return (
    <span class={`badge badge-${session.status}${failed ? ' badge-failed' : ''}`} data-status={session.status}>
      {statusLabel(session)}
    </span>
  );
}
