/**
 * The lazily loaded terminal chunk (see services/terminals.ts): the sessions page
 * with its terminal tabs, and everything that needs xterm.js.
 */
import { addEnglish } from '../i18n/index.ts';
import { terminal } from '../i18n/en/terminal.ts';
import { termtools } from '../i18n/en/termtools.ts';
import { executions as executionsStrings } from '../i18n/en/executions.ts';
import { flows as flowsStrings } from '../i18n/en/flows.ts';
import { issues as issuesStrings } from '../i18n/en/issues.ts';

// This chunk's English strings travel with it (the first paint carries only common and board).
addEnglish(executionsStrings);
addEnglish(flowsStrings);
addEnglish(issuesStrings);

addEnglish(terminal);
addEnglish(termtools);

export { SessionsPage } from '../components/SessionsPage.tsx';
export { TabsStore } from '../services/tabs.ts';

export type TerminalsModule = typeof import('./workspace.ts');
export { IssueTerminals } from '../components/issues/IssueTerminals.tsx';
