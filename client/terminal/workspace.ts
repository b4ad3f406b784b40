/**
 * The lazily loaded terminal chunk (see services/terminals.ts): the sessions page
 * with its terminal tabs, and everything that needs xterm.js.
 */
import { addEnglish } from '../i18n/index.ts';
import { terminal } from '../i18n/en/terminal.ts';
import { termtools } from '../i18n/en/termtools.ts';

addEnglish(terminal);
addEnglish(termtools);

export { SessionsPage } from '../components/SessionsPage.tsx';
export { TabsStore } from '../services/tabs.ts';

export type TerminalsModule = typeof import('./workspace.ts');
export { IssueTerminals } from '../components/issues/IssueTerminals.tsx';
