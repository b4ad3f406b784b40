/**
 * The words of the signed-approval-link pages, in the languages of the web UI's
 * catalogs (client/i18n). These pages are served without the client, so they carry
 * their own small table; the language follows the browser's Accept-Language.
 */
import type { DecideFailure } from '../approvals/index.ts';
import type { PageLanguage } from '../../http/page-language.ts';

export { pageLanguage, type PageLanguage } from '../../http/page-language.ts';

export interface ApprovalPageWords {
  readonly pipeline: string;
  readonly stage: string;
  readonly host: string;
  readonly pane: string;
  readonly requested: string;
  readonly question: string;
  readonly decided: string;
  readonly decidedAt: (status: string, at: string, via: string | null) => string;
  readonly failureTitle: (code: DecideFailure) => string;
  /** The service's reason is English; other languages say it by its code. */
  readonly failureReason: (code: DecideFailure, english: string) => string;
  readonly seeBoard: string;
  readonly notFound: string;
  readonly linkEnds: string;
  readonly ask: (approve: boolean, pipeline: string, stage: string) => string;
  readonly verb: (approve: boolean) => string;
  readonly note: string;
  readonly nothingYet: string;
  readonly done: (approve: boolean) => string;
  readonly recorded: string;
}

const EN: ApprovalPageWords = {
  pipeline: 'Pipeline',
  stage: 'Stage',
  host: 'Host',
  pane: 'Pane',
  requested: 'Requested',
  question: 'Question',
  decided: 'Decided',
  decidedAt: (status, at, via) => `${status} at ${at}${via ? ` via ${via}` : ''}`,
  failureTitle: (code) => (code === 'forged' ? 'Invalid approval link' : code === 'not_found' ? 'Unknown approval' : 'This link cannot decide any more'),
  failureReason: (_code, english) => `${english[0]!.toUpperCase()}${english.slice(1)}.`,
  seeBoard: 'Open the agent board in tmux-bridge to see the current state.',
  notFound: 'Not found',
  linkEnds: 'Approval links end in /approve or /reject.',
  ask: (approve, pipeline, stage) => `${approve ? 'Approve' : 'Reject'} ${pipeline}/${stage}?`,
  verb: (approve) => (approve ? 'Approve' : 'Reject'),
  note: 'Note (optional)',
  nothingYet: 'Nothing is decided until you press the button.',
  done: (approve) => (approve ? 'Approved' : 'Rejected'),
  recorded: 'The decision is recorded; the stage goes on.',
};

const ZH_FAILURE: Record<DecideFailure, string> = {
  forged: '这个审批链接的签名无效。',
  expired: '这个审批链接已过期。',
  used: '这个审批链接已经用过。',
  not_pending: '这个审批已经有了决定。',
  not_found: '找不到这个审批。',
};

const ZH: ApprovalPageWords = {
  pipeline: '流水线',
  stage: '阶段',
  host: '主机',
  pane: '窗格',
  requested: '请求时间',
  question: '问题',
  decided: '决定',
  decidedAt: (status, at, via) => `${status === 'approved' ? '已批准' : status === 'rejected' ? '已拒绝' : status}，${at}${via ? `，经由 ${via}` : ''}`,
  failureTitle: (code) => (code === 'forged' ? '审批链接无效' : code === 'not_found' ? '未知的审批' : '这个链接不能再做决定'),
  failureReason: (code) => ZH_FAILURE[code],
  seeBoard: '请在 tmux-bridge 的智能体面板查看当前状态。',
  notFound: '未找到',
  linkEnds: '审批链接以 /approve 或 /reject 结尾。',
  ask: (approve, pipeline, stage) => `${approve ? '批准' : '拒绝'} ${pipeline}/${stage}？`,
  verb: (approve) => (approve ? '批准' : '拒绝'),
  note: '备注（可选）',
  nothingYet: '按下按钮之前不会做出任何决定。',
  done: (approve) => (approve ? '已批准' : '已拒绝'),
  recorded: '决定已记录，阶段继续进行。',
};

export function approvalPageWords(language: PageLanguage): ApprovalPageWords {
  return language === 'zh-CN' ? ZH : EN;
}
