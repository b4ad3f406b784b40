import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { useServices } from '../services/index.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';

/** Renames the session's tmux session; the server validates the name and says why not. */
export function RenameSessionDialog({ sessionKey, name, onClose }: { sessionKey: string; name: string; onClose: () => void }) {
  const { api, sessions } = useServices();
  const [value, setValue] = useState(name);
  return (
    <ConfirmDialog
      title={t('term.renameTitle', { name })}
      confirmLabel={t('term.rename')}
      onCancel={onClose}
      onConfirm={async () => {
        sessions.upsert(await api.renameSession(sessionKey, value.trim()));
        onClose();
      }}
    >
      <label class="field">
        <span>{t('term.renameLabel')}</span>
        <input type="text" value={value} maxLength={64} required data-testid="rename-input" onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)} />
      </label>
      <p class="muted">{t('term.renameHint')}</p>
    </ConfirmDialog>
  );
}
