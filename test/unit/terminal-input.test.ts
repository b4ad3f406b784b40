import { describe, expect, it } from 'vitest';
import { applyModifiers, extraKeyData } from '../../client/terminal/extra-keys.ts';
import { parseOsc52 } from '../../client/terminal/osc52.ts';
import { DEFAULT_SETTINGS, parseSettings } from '../../client/terminal/settings.ts';

describe('OSC 52', () => {
  it('decodes a set request as UTF-8, refuses queries and garbage', () => {
    expect(parseOsc52(`c;${Buffer.from('héllo 世界').toString('base64')}`)).toEqual({ kind: 'set', text: 'héllo 世界' });
    expect(parseOsc52(';aGk=')).toEqual({ kind: 'set', text: 'hi' });
    expect(parseOsc52('c;?')).toEqual({ kind: 'query' });
    expect(parseOsc52('c;not base64!')).toEqual({ kind: 'invalid' });
    expect(parseOsc52('aGk=')).toEqual({ kind: 'invalid' });
    expect(parseOsc52(`c;${Buffer.from([0xff, 0xfe]).toString('base64')}`)).toEqual({ kind: 'invalid' });
  });
});

describe('extra keys and sticky modifiers', () => {
  it('sends arrows in the cursor-key mode of the program', () => {
    expect(extraKeyData('up', false)).toBe('\x1b[A');
    expect(extraKeyData('left', true)).toBe('\x1bOD');
    expect(extraKeyData('esc', false)).toBe('\x1b');
    expect(extraKeyData('tab', false)).toBe('\t');
    expect(extraKeyData('|', false)).toBe('|');
  });

  it('Ctrl makes control characters, Alt prefixes ESC, both mark arrows', () => {
    expect(applyModifiers('c', { ctrl: true, alt: false })).toBe('\x03');
    expect(applyModifiers('C', { ctrl: true, alt: false })).toBe('\x03');
    expect(applyModifiers('[', { ctrl: true, alt: false })).toBe('\x1b');
    expect(applyModifiers(' ', { ctrl: true, alt: false })).toBe('\x00');
    expect(applyModifiers('x', { ctrl: false, alt: true })).toBe('\x1bx');
    expect(applyModifiers('\x1b[A', { ctrl: true, alt: false })).toBe('\x1b[1;5A');
    expect(applyModifiers('\x1bOC', { ctrl: false, alt: true })).toBe('\x1b[1;3C');
    expect(applyModifiers('hello', { ctrl: true, alt: false })).toBe('hello');
  });
});

describe('terminal settings from storage', () => {
  it('keeps valid fields and replaces the rest with defaults', () => {
    expect(parseSettings(null)).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings({ fontSize: 16, osc52: true, leaveKey: 'F7', rightClick: 'paste' })).toEqual({ ...DEFAULT_SETTINGS, fontSize: 16, osc52: true, leaveKey: 'F7', rightClick: 'paste' });
    expect(parseSettings({ fontSize: 400, copyOnSelect: 'yes', leaveKey: 'Enter' })).toEqual(DEFAULT_SETTINGS);
  });
});

describe('browser notifications', async () => {
  const { noteFor } = await import('../../client/services/notifier.ts');
  // Events reach the notifier only after the client's schema chunk has loaded.
  await (await import('../../client/services/schemas.ts')).loadContract();
  const now = Date.parse('2026-01-01T12:00:00Z');
  const { sampleApproval, SAMPLE_PAYLOADS } = await import('../helpers/events.ts');
  const approval = sampleApproval({ id: 'a1', pipeline: 'ci', stage: 'deploy', status: 'pending', requestedAt: '2026-01-01T11:59:30Z' });

  it('one for a fresh approval request and for a stage that just failed, none for replays', () => {
    const ask = noteFor({ type: 'APPROVAL_REQUESTED', at: '2026-01-01T11:59:30Z', approval } as never, now);
    expect(ask).toMatchObject({ tag: 'approval-a1', path: '/approvals' });
    expect(ask?.title).toContain('ci');
    expect(noteFor({ type: 'APPROVAL_REQUESTED', at: '2026-01-01T11:00:00Z', approval } as never, now)).toBeUndefined();
    expect(noteFor({ type: 'APPROVAL_REQUESTED', at: '2026-01-01T11:59:30Z', approval: { ...approval, status: 'approved' } } as never, now)).toBeUndefined();
    const stage = { ...SAMPLE_PAYLOADS.STAGE_UPDATED, type: 'STAGE_UPDATED', host: 'local', paneId: '%1', pipeline: 'ci', stage: 'test', status: 'FAILED', from: 'RUNNING', reason: 'exit 2', view: null, at: '2026-01-01T11:59:59Z' };
    expect(noteFor(stage as never, now)).toMatchObject({ body: 'exit 2', path: '/pipelines' });
    expect(noteFor({ ...stage, status: 'COMPLETED' } as never, now)).toBeUndefined();
    expect(noteFor({ ...stage, at: '2026-01-01T10:00:00Z' } as never, now)).toBeUndefined();
  });
});
