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
import express, { Router, type Response } from 'express';
import type { Approval, ApprovalDecision } from '../../../schemas/agent.ts';
import type { ApprovalService, DecideFailure } from '../approvals/index.ts';

const ACTIONS: Record<string, ApprovalDecision> = { approve: 'approve', reject: 'reject' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(res: Response, status: number, title: string, body: string): void {
  res
    .status(status)
    .set({ 'cache-control': 'no-store', 'x-robots-tag': 'noindex' })
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<meta name="robots" content="noindex"><title>${escapeHtml(title)} · tmux-bridge</title>` +
        `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}` +
        `dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{color:#57606a}dd{margin:0;word-break:break-all}` +
        `button{font:inherit;padding:.6rem 1.4rem;border-radius:6px;border:1px solid #888;cursor:pointer}` +
        `.approve{background:#1f883d;color:#fff;border-color:#1a7f37}.reject{background:#cf222e;color:#fff;border-color:#a40e26}` +
        `textarea{width:100%;box-sizing:border-box;font:inherit}@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}dt{color:#8d96a0}}</style>` +
        `</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    );
}

function details(approval: Approval): string {
  const rows: Array<[string, string]> = [
    ['Pipeline', approval.pipeline],
    ['Stage', approval.stage],
    ['Host', approval.host],
    ['Pane', approval.paneId],
    ['Requested', approval.requestedAt],
  ];
  if (approval.prompt) rows.push(['Question', approval.prompt]);
  if (approval.decidedAt) rows.push(['Decided', `${approval.status} at ${approval.decidedAt}${approval.decidedVia ? ` via ${approval.decidedVia}` : ''}`]);
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

const FAILURE_STATUS: Record<DecideFailure, number> = { forged: 403, expired: 410, used: 410, not_pending: 410, not_found: 404 };

function failurePage(res: Response, code: DecideFailure, message: string, approval?: Approval): void {
  const title = code === 'forged' ? 'Invalid approval link' : code === 'not_found' ? 'Unknown approval' : 'This link cannot decide any more';
  const advice = code === 'forged' ? '' : '<p>Open the agent board in tmux-bridge to see the current state.</p>';
  page(res, FAILURE_STATUS[code], title, `<p>${escapeHtml(message[0]!.toUpperCase() + message.slice(1))}.</p>${approval && code !== 'forged' ? details(approval) : ''}${advice}`);
}

export function approvalLinkRoutes(approvals: ApprovalService): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }));

  router.get('/:token/:action', async (req, res) => {
    const decision = ACTIONS[req.params.action];
    if (!decision) return page(res, 404, 'Not found', '<p>Approval links end in /approve or /reject.</p>');
    const lookup = await approvals.lookupToken(req.params.token);
    if (!lookup.ok) return failurePage(res, lookup.code, lookup.message, lookup.approval);
    const verb = decision === 'approve' ? 'Approve' : 'Reject';
    page(
      res,
      200,
      `${verb} ${lookup.approval.pipeline}/${lookup.approval.stage}?`,
      `${details(lookup.approval)}<form method="post">` +
        `<p><label>Note (optional)<br><textarea name="note" rows="2" maxlength="2000"></textarea></label></p>` +
        `<button type="submit" class="${decision}">${verb}</button></form>` +
        `<p><small>Nothing is decided until you press the button.</small></p>`,
    );
  });

  router.post('/:token/:action', async (req, res) => {
    const decision = ACTIONS[req.params.action];
    if (!decision) return page(res, 404, 'Not found', '<p>Approval links end in /approve or /reject.</p>');
    const rawNote = (req.body as Record<string, unknown> | undefined)?.note;
    const note = typeof rawNote === 'string' && rawNote.trim() ? rawNote.trim().slice(0, 2000) : null;
    const result = await approvals.decideByToken(req.params.token, decision, { by: 'signed link', note });
    if (!result.ok) return failurePage(res, result.code, result.message, result.approval);
    page(res, 200, decision === 'approve' ? 'Approved' : 'Rejected', `${details(result.approval)}<p>The decision is recorded; the stage goes on.</p>`);
  });

  return router;
}
