import { useServices } from '../../services/index.ts';
import { t } from '../../i18n/index.ts';

interface Props {
  readonly host: string;
  readonly paneId: string;
  /** Lines from the API answer, shown until a live tail arrives. */
  readonly fallback: readonly string[];
  readonly count: number;
  readonly label?: string;
}

/** The last lines of a pane, live from PANE_TAIL (this component alone re-renders). */
export function PaneLines({ host, paneId, fallback, count, label }: Props) {
  const { tails } = useServices();
  const lines = (tails.get(host, paneId).value ?? fallback).slice(-count);
  if (lines.length === 0 || lines.every((l) => l.trim() === '')) {
    return <p class="pane-lines empty">{t('lines.none')}</p>;
  }
  return (
    <pre class="pane-lines" aria-label={label ?? t('lines.label', { pane: paneId })}>
      {lines.join('\n')}
    </pre>
  );
}
