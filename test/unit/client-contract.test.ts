/**
 * The client's contract (client/services/contract.ts): the schemas it checks answers and
 * events with, and what bundling them costs. It must stay zod/mini: a classic schema
 * imported by the client would pull all of classic zod (~100 KiB gzip) into its chunk.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { check, checkEvent, payload } from '../../client/services/contract.ts';
import { EventType } from '../../schemas/index.ts';
import { SAMPLE_PAYLOADS, sampleSession } from '../helpers/events.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const at = '2026-01-01T00:00:00.000Z';

describe('client contract', () => {
  it('takes every event type with its payload and refuses a payload that does not fit', () => {
    for (const type of EventType.options) {
      const event = { ...SAMPLE_PAYLOADS[type], type, at, id: 7 };
      expect(checkEvent(JSON.parse(JSON.stringify(event))), type).toMatchObject({ type, at, id: 7 });
    }
    expect(checkEvent({ type: 'CLI_SESSION_CLOSED', at, sessionKey: 's1', exitCode: 'zero' })).toBeUndefined();
    expect(checkEvent({ type: 'NO_SUCH_EVENT', at })).toBeUndefined();
    expect(payload('CLI_SESSION_CREATED', { sessionKey: 's1', session: sampleSession() })?.session.sessionKey).toBe(sampleSession().sessionKey);
    expect(payload('CLI_SESSION_CREATED', { sessionKey: 's1', session: { name: 'x' } })).toBeUndefined();
  });

  it('reads an answer with its schema and names the first field that is off', () => {
    expect(check('SessionList', { sessions: [sampleSession()] })).toMatchObject({ ok: true });
    expect(check('SessionList', { sessions: [{ ...sampleSession(), cols: 'wide' }] })).toEqual({ ok: false, problem: 'SessionList.sessions.0.cols' });
    expect(check('ApiErrorBody', { error: { code: 'not_found', message: 'no session' } })).toMatchObject({ ok: true });
    expect(check('ApiErrorBody', '<html>')).toMatchObject({ ok: false });
  });

  it('bundles zod/mini only, without classic zod or any server code', async () => {
    const result = await build({
      entryPoints: [join(ROOT, 'client', 'services', 'contract.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      minify: true,
      metafile: true,
      logLevel: 'silent',
      outfile: 'contract.js',
    });
    // What ends up in the chunk (files zod only re-exports are reached but shaken off).
    const inputs = Object.values(result.metafile.outputs).flatMap((output) => Object.entries(output.inputs).filter(([, used]) => used.bytesInOutput > 0).map(([file]) => file));
    expect(inputs.filter((file) => /zod\/v4\/classic|zod\/v4\/locales|\/server\/|\/tmux\//.test(file))).toEqual([]);
    // The schemas it takes are the views (zod/mini), never an input file written with classic zod.
    expect(inputs.filter((file) => /^schemas\//.test(file)).every((file) => file === 'schemas/common.ts' || /-view\.ts$|schemas\/(agent|health|issue-constants)\.ts$/.test(file))).toBe(true);
  });
});
