import { describe, expect, it } from 'vitest';
import { formatCommand, formatCommandList, hexWords, literalFormat, quoteArg, shellQuote } from '../../tmux/command.ts';
import { ControlProtocolParser } from '../../tmux/control-protocol.ts';
import { parseTmuxVersion, isSupported } from '../../tmux/version.ts';
import { decodeOctalEscapes } from '../../tmux/capture.ts';
import { sendBytesCommands, SEND_KEYS_CHUNK } from '../../tmux/keys.ts';

describe('command quoting', () => {
  it('leaves plain words alone and single-quotes everything else', () => {
    expect(quoteArg('send-keys')).toBe('send-keys');
    expect(quoteArg('%12')).toBe('%12');
    expect(quoteArg('$3')).toBe(`'$3'`);
    expect(quoteArg('a b;c')).toBe(`'a b;c'`);
    expect(quoteArg(`it's`)).toBe(`'it'\\''s'`);
    expect(quoteArg('')).toBe(`''`);
    expect(quoteArg('#{pane_id}')).toBe(`'#{pane_id}'`);
    expect(() => quoteArg('nul\0here')).toThrow(/NUL/);
  });

  it('double-quotes text with line breaks, escaping what tmux would read as syntax', () => {
    expect(quoteArg('two\nlines')).toBe('"two\\012lines"');
    expect(quoteArg('a\t"$HOME"\\ é\n')).toBe('"a\\011\\042\\044HOME\\042\\134 é\\012"');
  });

  it('joins commands for one control-mode line', () => {
    expect(formatCommand(['display-message', '-p', 'hi there'])).toBe(`display-message -p 'hi there'`);
    expect(formatCommandList([['a'], ['b', 'c d']])).toBe(`a ; b 'c d'`);
  });

  it('escapes formats and shell words', () => {
    expect(literalFormat('/tmp/#dir')).toBe('/tmp/##dir');
    expect(shellQuote('/tmp/x.fifo')).toBe('/tmp/x.fifo');
    expect(shellQuote(`/tmp/it's here`)).toBe(`'/tmp/it'\\''s here'`);
  });

  it('turns bytes into send-keys -H commands of bounded size', () => {
    expect(hexWords(Buffer.from([0, 0x1b, 0xff]))).toEqual(['00', '1b', 'ff']);
    const commands = sendBytesCommands('%1', Buffer.alloc(SEND_KEYS_CHUNK * 2 + 1, 0x41));
    expect(commands).toHaveLength(3);
    expect(commands[0]!.slice(0, 5)).toEqual(['send-keys', '-t', '%1', '-H', '--']);
    expect(commands[2]).toEqual(['send-keys', '-t', '%1', '-H', '--', '41']);
  });
});

describe('control-mode protocol parser', () => {
  it('frames replies and notifications, across chunk boundaries', () => {
    const parser = new ControlProtocolParser();
    const wire = '%begin 1 10 1\nline one\n%end 1 10 1\n%sessions-changed\n%window-add @3\n%begin 2 11 1\nbad\n%error 2 11 1\n';
    const messages = [];
    for (let i = 0; i < wire.length; i += 7) messages.push(...parser.push(Buffer.from(wire.slice(i, i + 7))));
    expect(messages).toEqual([
      { kind: 'reply', ok: true, number: 10, flags: 1, lines: ['line one'] },
      { kind: 'notification', name: 'sessions-changed', args: [], line: '%sessions-changed' },
      { kind: 'notification', name: 'window-add', args: ['@3'], line: '%window-add @3' },
      { kind: 'reply', ok: false, number: 11, flags: 1, lines: ['bad'] },
    ]);
  });

  it('does not end a block on an output line that only looks like %end', () => {
    const parser = new ControlProtocolParser();
    const messages = parser.push(Buffer.from('%begin 5 7 1\n%end 1 2 3\n%error x\n%end 5 7 1\n'));
    expect(messages).toEqual([{ kind: 'reply', ok: true, number: 7, flags: 1, lines: ['%end 1 2 3', '%error x'] }]);
  });

  it('keeps UTF-8 split across chunks intact', () => {
    const parser = new ControlProtocolParser();
    const bytes = Buffer.from('%begin 1 1 1\n你好\n%end 1 1 1\n');
    const out = [...parser.push(bytes.subarray(0, 15)), ...parser.push(bytes.subarray(15))];
    expect(out[0]).toMatchObject({ lines: ['你好'] });
  });
});

describe('tmux versions', () => {
  it('parses and checks versions', () => {
    expect(parseTmuxVersion('tmux 3.3a')).toEqual({ text: '3.3a', major: 3, minor: 3 });
    expect(parseTmuxVersion('tmux next-3.5')).toMatchObject({ major: 3, minor: 5 });
    expect(isSupported(parseTmuxVersion('tmux 3.1c')!)).toBe(false);
    expect(isSupported(parseTmuxVersion('tmux 3.2')!)).toBe(true);
    expect(isSupported(parseTmuxVersion('tmux 4.0')!)).toBe(true);
    expect(parseTmuxVersion('nonsense')).toBeUndefined();
  });
});

describe('capture-pane -C decoding', () => {
  it('turns octal escapes back into bytes', () => {
    expect(decodeOctalEscapes('\\033[3').equals(Buffer.from('\x1b[3'))).toBe(true);
    expect(decodeOctalEscapes('a\\\\b').equals(Buffer.from('a\\b'))).toBe(true);
  });
});

describe('%output decoding', () => {
  it('gives the pane bytes exactly: octal escapes below 0x20 and for the backslash, raw bytes from 0x80', () => {
    const parser = new ControlProtocolParser();
    const raw = Buffer.concat([Buffer.from('%output %7 a\\015\\012\\134x\\033[1m'), Buffer.from([0xe4, 0xb8, 0xad, 0xff, 0x80]), Buffer.from('\\000z\n')]);
    // Split mid-escape and mid-character: the parser joins lines before decoding.
    const messages = [...parser.push(raw.subarray(0, 9)), ...parser.push(raw.subarray(9, 20)), ...parser.push(raw.subarray(20))];
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(message).toMatchObject({ kind: 'notification', name: 'output', args: ['%7'] });
    expect((message as { data: Buffer }).data).toEqual(Buffer.concat([Buffer.from('a\r\n\\x\x1b[1m'), Buffer.from([0xe4, 0xb8, 0xad, 0xff, 0x80, 0x00]), Buffer.from('z')]));
  });

  it('reads %extended-output too, and leaves output-looking lines inside a reply alone', () => {
    const parser = new ControlProtocolParser();
    const out = parser.push(Buffer.from('%extended-output %3 12 : hi\\011there\n%begin 1 2 1\n%output %1 not-output\n%end 1 2 1\n'));
    expect(out[0]).toMatchObject({ name: 'extended-output', args: ['%3'] });
    expect((out[0] as { data: Buffer }).data.toString()).toBe('hi\tthere');
    expect(out[1]).toMatchObject({ kind: 'reply', lines: ['%output %1 not-output'] });
  });
});
