/**
 * What a committed batch asks for besides stage states: notifications, approvals
 * requested or cancelled, and actions typed into the pane or run in a shell.
 */
import { errorMessage } from '../../../base/errors.ts';
import { runActions } from '../actions.ts';
import type { PolicyEffect } from '../policy/types.ts';
import type { EngineContext, PaneHost } from './types.ts';

export class PaneEffects {
  /** Actions run in order per pane but do not hold up the evaluation of later lines. */
  private actionChain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: EngineContext,
    private readonly pane: { readonly host: PaneHost; readonly paneId: string },
  ) {}

  /** Resolves once the actions started so far are done. */
  settled(): Promise<unknown> {
    return this.actionChain;
  }

  async carryOut(pipeline: string, effect: PolicyEffect): Promise<void> {
    const host = this.pane.host;
    const base = { host: host.name, paneId: this.pane.paneId, pipeline, stage: effect.stage };
    switch (effect.type) {
      case 'transition':
        return;
      case 'notify':
        this.ctx.notify({ ...base, title: effect.title, body: effect.body, kind: effect.kind, ...(effect.text ? { text: effect.text } : {}) });
        return;
      case 'request_approval':
        await this.ctx.requestApproval({ ...base, kind: effect.kind, prompt: effect.prompt, title: effect.title, body: effect.body });
        return;
      case 'cancel_approval':
        await this.ctx.approvals.cancel(base, effect.reason);
        return;
      case 'run_actions': {
        const config = this.ctx.config();
        this.actionChain = this.actionChain
          .then(async () => {
            if (this.ctx.dryRun) {
              for (const action of effect.actions) this.ctx.log(`[dry-run] ${base.host} ${base.paneId} ${pipeline}/${effect.stage}: would ${action.kind} ${JSON.stringify(action.command)}`);
            }
            const outcomes = await runActions(effect.actions, {
              paneId: this.pane.paneId,
              ssh: host.ssh,
              sendKeys: (paneId, text, options) => host.sendKeys(paneId, text, options),
              shellTimeoutMs: config.bridge.shellTimeoutMs,
              dryRun: this.ctx.dryRun,
            });
            for (const outcome of outcomes) {
              if (!outcome.ok) this.ctx.log(`agent: ${outcome.kind} ${JSON.stringify(outcome.command)} for ${pipeline}/${effect.stage} on ${base.host} ${base.paneId} failed: ${outcome.error}`);
            }
            this.ctx.publish('STAGE_ACTIONS', { ...base, cause: effect.cause, attempt: effect.attempt, outcomes });
          })
          .catch((error: unknown) => this.ctx.log(`agent: actions of ${pipeline}/${effect.stage} failed: ${errorMessage(error)}`));
        return;
      }
    }
  }
}
