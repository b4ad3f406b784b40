import { t } from '../../i18n/index.ts';
import { shortcutLabel, terminalSettings } from '../../terminal/settings.ts';
import { Modal } from '../Modal.tsx';

/** The `?` overlay: the keys the terminal keeps for itself (everything else goes to the program). */
export function KeysHelp({ onClose }: { onClose: () => void }) {
  const s = terminalSettings.value;
  const leave = s.leaveKey === 'none' ? t('settings.leaveNone') : s.leaveKey;
  const rows: Array<[string, string]> = [
    [shortcutLabel('copy'), t('keys.copy')],
    [shortcutLabel('paste'), t('keys.paste')],
    [shortcutLabel('find'), t('keys.find')],
    [leave, t('keys.leave')],
    ['Ctrl+C', t('keys.ctrlC')],
    ['?', t('keys.help')],
  ];
  return (
    <Modal titleId="keys-help-title" onDismiss={onClose} class="keys-help">
      <h2 id="keys-help-title">{t('keys.title')}</h2>
      <p>{t('keys.intro')}</p>
      <table class="keys-table" data-testid="keys-help">
        <tbody>
          {rows.map(([key, what]) => (
            <tr key={key}>
              <th scope="row">
                <kbd>{key}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ul class="keys-notes">
        <li>{t('keys.select', { state: s.copyOnSelect ? t('keys.on') : t('keys.off') })}</li>
        <li>{t('keys.rightClick')}</li>
        <li>{t('keys.scroll')}</li>
      </ul>
      <div class="form-actions">
        <button type="button" class="primary" onClick={onClose}>
          {t('keys.close')}
        </button>
      </div>
    </Modal>
  );
}
