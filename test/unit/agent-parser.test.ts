import { describe, expect, it } from 'vitest';
import { parseMessage, parseMessages } from '../../server/agent/parser.ts';

describe('message parser', () => {
  it('reads ### SENTRY lines: the kind is the JSON type', () => {
    expect(parseMessage('### SENTRY {"type":"BUILD_OK","ms":1200}')).toEqual({
      kind: 'BUILD_OK',
      payload: { type: 'BUILD_OK', ms: 1200 },
      raw: '### SENTRY {"type":"BUILD_OK","ms":1200}',
      source: 'sentry',
    });
    expect(parseMessage('   ### SENTRY   {"type":"X"}   ')).toMatchObject({ kind: 'X', source: 'sentry' });
  });

  it('reads bare JSON object lines', () => {
    expect(parseMessage('{"type":"STATUS","ok":true}')).toMatchObject({ kind: 'STATUS', source: 'json', payload: { ok: true } });
    expect(parseMessage('{"no_type": 1}')).toMatchObject({ kind: 'UNKNOWN', source: 'json' });
  });

  it('falls back to keywords: ERROR before STATUS, case-insensitive, whole words only', () => {
    expect(parseMessage('Build FAILED after 3s')).toMatchObject({ kind: 'ERROR', payload: { text: 'Build FAILED after 3s' }, source: 'keyword' });
    expect(parseMessage('error: x; but tests passed')?.kind).toBe('ERROR');
    expect(parseMessage('All tests Passed')).toMatchObject({ kind: 'STATUS', payload: { ok: true, text: 'All tests Passed' } });
    expect(parseMessage('Done.')?.kind).toBe('STATUS');
    expect(parseMessage('an Exception occurred')?.kind).toBe('ERROR');
    expect(parseMessage('errors: 0')).toBeNull(); // "errors" is not the word "error"
    expect(parseMessage('undone business')).toBeNull();
    expect(parseMessage('compiling 12 files')).toBeNull();
  });

  it('treats malformed JSON as a plain line and never throws', () => {
    expect(parseMessage('### SENTRY {"type": "X",')).toBeNull();
    expect(parseMessage('### SENTRY {broken} error')?.kind).toBe('ERROR');
    expect(parseMessage('{"type": "X"')).toBeNull();
    expect(parseMessage('{not json, but it failed}')?.kind).toBe('ERROR');
    expect(parseMessage('### SENTRY [1,2,3]')).toBeNull(); // not an object
    expect(parseMessage('{}')).toMatchObject({ kind: 'UNKNOWN' });
    const deep = `{"type":"X","a":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(() => parseMessage(deep)).not.toThrow();
    expect(() => parseMessage('\u0000\uFFFD\u001b[31m{')).not.toThrow();
  });

  it('turns a non-string type into text and ignores empty lines', () => {
    expect(parseMessage('{"type": 7}')?.kind).toBe('7');
    expect(parseMessage('{"type": {"nested": true}}')?.kind).toBe('UNKNOWN');
    expect(parseMessage('   ')).toBeNull();
    expect(parseMessages(['', 'done', 'plain', '{"type":"A"}']).map((m) => m.kind)).toEqual(['STATUS', 'A']);
  });
});
