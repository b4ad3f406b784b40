import { useEffect, useState } from 'preact/hooks';
import type { BoardSettings, ToolName } from '../../../schemas/index.ts';
import { ApiError } from '../../services/api.ts';
import { useServices } from '../../services/index.ts';
import { Modal } from '../Modal.tsx';
import { t } from '../../i18n/index.ts';
import { errorMessage } from '../../../base/errors.ts';

const TOOLS = ['bash', 'claude', 'codex', 'gemini', 'qwen', 'opencode', 'custom'] as const satisfies readonly ToolName[];

/** Board settings: auto-start on In progress (tool, model, prompt template, working directory). */
export function SettingsDialog({ onClose }: { onClose: () => void }) {
  const { issues } = useServices();
  const [settings, setSettings] = useState<BoardSettings | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    issues.api.settings().then(setSettings, (e: unknown) => setError(errorMessage(e)));
  }, []);
  const auto = settings?.autoStartOnInProgress;
  const set = (patch: Partial<BoardSettings['autoStartOnInProgress']>) => settings && setSettings({ autoStartOnInProgress: { ...settings.autoStartOnInProgress, ...patch } });
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!settings) return;
    try {
      await issues.api.saveSettings(settings);
      onClose();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <Modal titleId="board-settings-title" onDismiss={onClose} class="board-settings-dialog">
      <form class="form" onSubmit={submit} noValidate>
        <h2 id="board-settings-title">{t('issues.settings')}</h2>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        {auto && (
          <>
            <label class="check">
              <input type="checkbox" name="enabled" checked={auto.enabled} onChange={(e) => set({ enabled: e.currentTarget.checked })} /> {t('issues.settings.autoStart')}
            </label>
            <p class="muted">
              {t('issues.settings.autoStartHelp')}
            </p>
            <div class="form-grid">
              <label class="field">
                {t('issues.term.tool')}
                <select name="tool" value={auto.tool} onChange={(e) => set({ tool: e.currentTarget.value as ToolName })}>
                  {TOOLS.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
              </label>
              <label class="field">
                {t('issues.term.model')}
                <input name="model" value={auto.model ?? ''} placeholder={t('issues.term.modelDefault')} onInput={(e) => set({ model: e.currentTarget.value || null })} />
              </label>
            </div>
            <label class="field">
              {t('issues.settings.workingDir')}
              <input name="workingDir" value={auto.workingDir ?? ''} placeholder={t('issues.term.workingDirDefault')} onInput={(e) => set({ workingDir: e.currentTarget.value || null })} />
            </label>
            <label class="field">
              {t('issues.settings.template')} <span class="muted">({'{{title}} {{body}} {{id}}'})</span>
              <textarea name="promptTemplate" rows={5} value={auto.promptTemplate} onInput={(e) => set({ promptTemplate: e.currentTarget.value })} />
            </label>
          </>
        )}
        <div class="form-actions">
          <button type="button" onClick={onClose}>
            {t('issues.cancel')}
          </button>
          <button type="submit" class="primary" disabled={!settings}>
            {t('issues.save')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
