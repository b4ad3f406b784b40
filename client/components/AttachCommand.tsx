import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { copyText } from '../lib/clipboard.ts';

/** The native `tmux attach` command with a copy button. */
export function AttachCommand({ command, class: extra }: { command: string; class?: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const code = useRef<HTMLElement>(null);
  useEffect(() => {
    if (copied === 'idle') return;
    const timer = setTimeout(() => setCopied('idle'), 2500);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <div class={extra ? `attach ${extra}` : 'attach'}>
      <code ref={code} class="attach-command" title={t('attach.title')}>
        {command}
      </code>
      <button
        type="button"
        class="small"
        data-focus-from-terminal
        onClick={async () => {
          const ok = await copyText(command);
          setCopied(ok ? 'copied' : 'failed');
          if (!ok && code.current) {
            // Let the user copy it by hand.
            const range = document.createRange();
            range.selectNodeContents(code.current);
            const selection = getSelection();
            selection?.removeAllRanges();
            selection?.addRange(range);
          }
        }}
        aria-label={t('attach.copyLabel')}
      >
        {copied === 'copied' ? t('action.copied') : t('action.copy')}
      </button>
      <span class="visually-hidden" role="status">
        {copied === 'copied' ? t('attach.copied') : copied === 'failed' ? t('attach.failed') : ''}
      </span>
      {copied === 'failed' && <span class="hint">{t('attach.selected')}</span>}
    </div>
  );
}
