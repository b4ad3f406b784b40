import { t, type MessageKey } from '../../i18n/index.ts';
import { EXTRA_KEYS, type ExtraKey } from '../../terminal/extra-keys.ts';
import { changeFontSize } from '../../terminal/settings.ts';
import type { TerminalTab } from '../../terminal/terminal-tab.ts';

const LABELS: Partial<Record<ExtraKey, { text: string; aria: MessageKey }>> = {
  esc: { text: 'Esc', aria: 'xkeys.esc' },
  tab: { text: 'Tab', aria: 'xkeys.tab' },
  ctrl: { text: 'Ctrl', aria: 'xkeys.ctrl' },
  alt: { text: 'Alt', aria: 'xkeys.alt' },
  left: { text: '←', aria: 'xkeys.left' },
  up: { text: '↑', aria: 'xkeys.up' },
  down: { text: '↓', aria: 'xkeys.down' },
  right: { text: '→', aria: 'xkeys.right' },
};

/**
 * The row of keys a phone keyboard lacks, at the bottom of the terminal (so above
 * the on-screen keyboard). Buttons never take the focus: the keyboard stays up.
 */
export function ExtraKeys({ tab }: { tab: TerminalTab }) {
  const modifiers = tab.modifiers.value;
  const keep = (e: Event) => e.preventDefault();
  return (
    <div class="extra-keys" role="toolbar" aria-label={t('xkeys.label')} data-testid="extra-keys">
      {EXTRA_KEYS.map((key) => {
        const label = LABELS[key];
        const sticky = key === 'ctrl' || key === 'alt';
        return (
          <button
            key={key}
            type="button"
            class={`xkey${sticky && modifiers[key] ? ' is-on' : ''}`}
            data-key={key}
            aria-label={label ? t(label.aria) : key}
            aria-pressed={sticky ? modifiers[key] : undefined}
            onPointerDown={keep}
            onMouseDown={keep}
            onClick={() => {
              tab.sendKey(key);
              tab.focus();
            }}
          >
            {label?.text ?? key}
          </button>
        );
      })}
      <button type="button" class="xkey" aria-label={t('settings.smaller')} onPointerDown={keep} onMouseDown={keep} onClick={() => changeFontSize(-1)}>
        A−
      </button>
      <button type="button" class="xkey" aria-label={t('settings.larger')} onPointerDown={keep} onMouseDown={keep} onClick={() => changeFontSize(1)}>
        A+
      </button>
    </div>
  );
}
