/**
 * Signed approval links, served without the bridge's token (the link's token is the
 * credential): mounted at /a.
 *
 *   GET  /a/:token/approve|reject  → a confirmation page; it never decides, because
 *                                    chat apps fetch links to show previews.
 *   POST /a/:token/approve|reject  → decides once (the page's button posts here).
 *
 * Forged → 403, expired / used / already decided → 410, each as a small HTML page.
 * The page needs no script; its form posts back to the same URL (same origin, which
 * the app's `form-action 'self'` policy allows).
 */
import express, { Router, type Request, type Response } from 'express';
import type { Approval, ApprovalDecision } from '../../../schemas/agent.ts';
import type { ApprovalService, DecideFailure } from '../approvals/index.ts';
import { approvalPageWords, pageLanguage, type ApprovalPageWords, type PageLanguage } from './approval-page-words.ts';

const ACTIONS: Record<string, ApprovalDecision> = { approve: 'approve', reject: 'reject' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(res: Response, language: PageLanguage, status: number, title: string, body: string): void {
  res
    .status(status)
    .set({ 'cache-control': 'no-store', 'x-robots-tag': 'noindex', vary: 'Accept-Language' })
    .type('html')
    .send(
      `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<meta name="robots" content="noindex"><title>${escapeHtml(title)} · tmux-bridge</title>` +
        `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}` +
        `dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{color:#57606a}dd{margin:0;word-break:break-all}` +
        `button{font:inherit;padding:.6rem 1.4rem;border-radius:6px;border:1px solid #888;cursor:pointer}` +
        `.approve{background:#1f883d;color:#fff;border-color:#1a7f37}.reject{background:#cf222e;color:#fff;border-color:#a40e26}` +
        `textarea{width:100%;box-sizing:border-box;font:inherit}@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}dt{color:#8d96a0}}</style>` +
        `</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    );
}

function details(words: ApprovalPageWords, approval: Approval): string {
  const rows: Array<[string, string]> = [
    [words.pipeline, approval.pipeline],
    [words.stage, approval.stage],
    [words.host, approval.host],
    [words.pane, approval.paneId],
    [words.requested, approval.requestedAt],
  ];
  if (approval.prompt) rows.push([words.question, approval.prompt]);
  if (approval.decidedAt) rows.push([words.decided, words.decidedAt(approval.status, approval.decidedAt, approval.decidedVia ?? null)]);
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

const FAILURE_STATUS: Record<DecideFailure, number> = { forged: 403, expired: 410, used: 410, not_pending: 410, not_found: 404 };

/** One request's page writer, in the browser's language. */
function pagesFor(req: Request, res: Response) {
  const language = pageLanguage(req);
  const words = approvalPageWords(language);
  const show = (status: number, title: string, body: string) => page(res, language, status, title, body);
  return {
    words,
    show,
    details: (approval: Approval) => details(words, approval),
    notFound: () => show(404, words.notFound, `<p>${escapeHtml(words.linkEnds)}</p>`),
    failure: (code: DecideFailure, message: string, approval?: Approval) => {
      const advice = code === 'forged' ? '' : `<p>${escapeHtml(words.seeBoard)}</p>`;
      show(FAILURE_STATUS[code], words.failureTitle(code), `<p>${escapeHtml(words.failureReason(code, message))}</p>${approval && code !== 'forged' ? details(words, approval) : ''}${advice}`);
    },
  };
}

export function approvalLinkRoutes(approvals: ApprovalService): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }));

  router.get('/:token/:action', async (req, res) => {
    const pages = pagesFor(req, res);
    const decision = ACTIONS[req.params.action];
    if (!decision) return pages.notFound();
    const lookup = await approvals.lookupToken(req.params.token);
    if (!lookup.ok) return pages.failure(lookup.code, lookup.message, lookup.approval);
    const approve = decision === 'approve';
    pages.show(
      200,
      pages.words.ask(approve, lookup.approval.pipeline, lookup.approval.stage),
      `${pages.details(lookup.approval)}<form method="post">` +
        `<p><label>${escapeHtml(pages.words.note)}<br><textarea name="note" rows="2" maxlength="2000"></textarea></label></p>` +
        `<button type="submit" class="${decision}">${escapeHtml(pages.words.verb(approve))}</button></form>` +
        `<p><small>${escapeHtml(pages.words.nothingYet)}</small></p>`,
    );
  });

  router.post('/:token/:action', async (req, res) => {
    const pages = pagesFor(req, res);
    const decision = ACTIONS[req.params.action];
    if (!decision) return pages.notFound();
    const rawNote = (req.body as Record<string, unknown> | undefined)?.note;
    const note = typeof rawNote === 'string' && rawNote.trim() ? rawNote.trim().slice(0, 2000) : null;
    const result = await approvals.decideByToken(req.params.token, decision, { by: 'signed link', note });
    if (!result.ok) return pages.failure(result.code, result.message, result.approval);
    pages.show(200, pages.words.done(decision === 'approve'), `${pages.details(result.approval)}<p>${escapeHtml(pages.words.recorded)}</p>`);
  });

  return router;
}
