import { t } from '../../i18n/index.ts';
import { changeFontSize, LEAVE_KEYS, terminalSettings, updateSettings, type LeaveKey, type RightClick } from '../../terminal/settings.ts';
import { webglUsable } from '../../terminal/webgl.ts';
import { Modal } from '../Modal.tsx';

/** Font size, clipboard, right click, the leave key and the renderer: kept per browser, for every terminal. */
export function TerminalSettingsDialog({ onClose }: { onClose: () => void }) {
  const s = terminalSettings.value;
  const webgl = s.webgl && webglUsable();
  return (
    <Modal titleId="term-settings-title" onDismiss={onClose} class="term-settings">
      <h2 id="term-settings-title">{t('settings.title')}</h2>
      <p class="hint">{t('settings.saved')}</p>
      <div class="field">
        <span class="field-label">{t('settings.fontSize')}</span>
        <div class="font-size-row">
          <button type="button" class="small" aria-label={t('settings.smaller')} onClick={() => changeFontSize(-1)}>
            A−
          </button>
          <output data-testid="font-size">{s.fontSize}</output>
          <button type="button" class="small" aria-label={t('settings.larger')} onClick={() => changeFontSize(1)}>
            A+
          </button>
        </div>
      </div>
      <label class="term-check">
        <input type="checkbox" name="copyOnSelect" checked={s.copyOnSelect} onChange={(e) => updateSettings({ copyOnSelect: e.currentTarget.checked })} />
        <span>
          {t('settings.copyOnSelect')}
          <small class="hint">{t('settings.copyOnSelectHint')}</small>
        </span>
      </label>
      <label class="term-check">
        <input type="checkbox" name="osc52" checked={s.osc52} onChange={(e) => updateSettings({ osc52: e.currentTarget.checked })} />
        <span>
          {t('settings.osc52')}
          <small class="hint">{t('settings.osc52Hint')}</small>
        </span>
      </label>
      <label class="field">
        <span class="field-label">{t('settings.rightClick')}</span>
        <select name="rightClick" value={s.rightClick} onChange={(e) => updateSettings({ rightClick: e.currentTarget.value as RightClick })}>
          <option value="menu">{t('settings.rightClickMenu')}</option>
          <option value="paste">{t('settings.rightClickPaste')}</option>
        </select>
        <small class="hint">{t('settings.rightClickHint')}</small>
      </label>
      <label class="field">
        <span class="field-label">{t('settings.leaveKey')}</span>
        <select name="leaveKey" value={s.leaveKey} onChange={(e) => updateSettings({ leaveKey: e.currentTarget.value as LeaveKey })}>
          {LEAVE_KEYS.map((key) => (
            <option key={key} value={key}>
              {key === 'none' ? t('settings.leaveNone') : key}
            </option>
          ))}
        </select>
        <small class="hint">{t('settings.leaveKeyHint')}</small>
      </label>
      <label class="term-check">
        <input type="checkbox" name="webgl" checked={s.webgl} onChange={(e) => updateSettings({ webgl: e.currentTarget.checked })} />
        <span>
          {t('settings.webgl')}
          <small class="hint" data-testid="renderer" data-renderer={webgl ? 'webgl' : 'dom'}>
            {webgl ? t('settings.rendererWebgl') : t('settings.rendererDom')}
          </small>
        </span>
      </label>
      <div class="form-actions">
        <button type="button" class="primary" onClick={onClose}>
          {t('settings.done')}
        </button>
      </div>
    </Modal>
  );
}
