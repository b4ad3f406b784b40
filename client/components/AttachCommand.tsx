import { useEffect, useRef, useState } from 'preact/hooks';
import { copyText } from '../lib/clipboard.ts';

/** The native `tmux attach` command with a copy button. */
export function AttachCommand({ command }: { command: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const code = useRef<HTMLElement>(null);
  useEffect(() => {
    if (copied === 'idle') return;
    const t = setTimeout(() => setCopied('idle'), 2500);
    return () => clearTimeout(t);
  }, [copied]);
  return (
    <div class="attach">
      <code ref={code} class="attach-command" title="Attach natively from a terminal on the server">
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
        aria-label="Copy the attach command"
      >
        {copied === 'copied' ? 'Copied' : 'Copy'}
      </button>
      <span class="visually-hidden" role="status">
        {copied === 'copied' ? 'Attach command copied' : copied === 'failed' ? 'Copy failed: the command is selected, press Ctrl+C' : ''}
      </span>
      {copied === 'failed' && <span class="hint">Selected: press Ctrl+C</span>}
    </div>
  );
}
