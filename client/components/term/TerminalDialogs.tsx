import { keysHelpOpen, settingsOpen } from '../../terminal/ui-state.ts';
import { KeysHelp } from './KeysHelp.tsx';
import { TerminalSettingsDialog } from './TerminalSettingsDialog.tsx';

/** The keys help and the terminal settings, once per page that shows terminals. */
export function TerminalDialogs() {
  return (
    <>
      {keysHelpOpen.value && <KeysHelp onClose={() => (keysHelpOpen.value = false)} />}
      {settingsOpen.value && <TerminalSettingsDialog onClose={() => (settingsOpen.value = false)} />}
    </>
  );
}
