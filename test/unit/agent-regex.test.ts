import { describe, expect, it } from 'vitest';
import { compilePythonRegex, PythonRegexError, translatePythonRegex } from '../../server/agent/config/regex.ts';

const re = (pattern: string) => compilePythonRegex(pattern).regex;

describe('Python regex translation', () => {
  it('turns leading inline flags into RegExp flags', () => {
    expect(translatePythonRegex('(?i)start lint')).toMatchObject({ source: 'start lint', flags: 'i' });
    expect(translatePythonRegex('(?im)^a')).toMatchObject({ source: '^a', flags: 'im' });
    expect(translatePythonRegex('(?i)(?s)a.b')).toMatchObject({ source: 'a.b', flags: 'is' });
    expect(re('(?i)START LINT').test('please start lint now')).toBe(true);
    expect(re('(?s)a.b').test('a\nb')).toBe(true);
    expect(re('a.b').test('a\nb')).toBe(false);
  });

  it('drops flags that change nothing here (a, u) and refuses the locale flag', () => {
    expect(translatePythonRegex('(?au)x')).toMatchObject({ source: 'x', flags: '' });
    expect(() => translatePythonRegex('(?L)x')).toThrow(PythonRegexError);
  });

  it('applies inline flags that are not at the start to the whole pattern, with a warning', () => {
    const result = translatePythonRegex('error(?i)');
    expect(result.flags).toBe('i');
    expect(result.warnings[0]).toMatch(/move them to the start/);
  });

  it('translates named groups and back-references', () => {
    expect(translatePythonRegex('(?P<word>\\w+) (?P=word)').source).toBe('(?<word>\\w+) \\k<word>');
    const match = re('(?P<n>\\d+) problems').exec('found 12 problems');
    expect(match?.groups?.n).toBe('12');
    expect(re('(?P<w>ab)-(?P=w)').test('ab-ab')).toBe(true);
    expect(re('(?P<w>ab)-(?P=w)').test('ab-ba')).toBe(false);
  });

  it('translates \\A, \\Z and {,n}, and drops (?#comments)', () => {
    expect(translatePythonRegex('\\Afoo\\Z').source).toBe('^foo$');
    expect(re('\\Afoo\\Z').test('foo')).toBe(true);
    expect(re('\\Afoo\\Z').test('xfoo')).toBe(false);
    // With (?m), ^ and $ match at every line; \A and \Z must still mean the whole text.
    const multi = re('(?m)\\Afoo$');
    expect(multi.test('foo\nbar')).toBe(true);
    expect(multi.test('bar\nfoo')).toBe(false);
    expect(re('^a{,2}$').test('aa')).toBe(true);
    expect(re('^a{,2}$').test('aaa')).toBe(false);
    expect(translatePythonRegex('a(?# a comment )b').source).toBe('ab');
  });

  it('reads verbose patterns: whitespace and # comments outside classes are dropped', () => {
    const pattern = '(?x)\n  \\d+   # the count\n  \\s problems  # the word\n  [ ]x\n';
    const result = translatePythonRegex(pattern);
    expect(result.source).toBe('\\d+\\sproblems[ ]x');
    expect(re(pattern).test('3 problems x')).toBe(true);
  });

  it('leaves escapes and classes alone', () => {
    expect(translatePythonRegex('[(?i)]\\(?i\\)').source).toBe('[(?i)]\\(?i\\)');
    expect(translatePythonRegex('[]a]').source).toBe('[\\]a]');
    expect(re('[]a]+').test(']a')).toBe(true);
    expect(re('\\d+ passed').test('12 passed')).toBe(true);
  });

  it('refuses what JavaScript cannot express, saying what to write instead', () => {
    expect(() => compilePythonRegex('(?i:abc)')).toThrow(/put \(\?i\) at the start/);
    expect(() => compilePythonRegex('(?>abc)')).toThrow(/atomic groups/);
    expect(() => compilePythonRegex('a++')).toThrow(/possessive/);
    expect(() => compilePythonRegex('(a)?(?(1)b|c)')).toThrow(/conditional/);
  });

  it('keeps lazy quantifiers and non-capturing groups', () => {
    expect(re('a+?b').test('aab')).toBe(true);
    expect(re('(?:ab)+$').test('abab')).toBe(true);
    expect(re('(?=x)x').test('x')).toBe(true);
  });

  it('reports invalid patterns with the pattern and the reason', () => {
    expect(() => compilePythonRegex('(unclosed')).toThrow(/invalid regex "\(unclosed": .*Unterminated group/);
    expect(() => compilePythonRegex('[abc')).toThrow(/unterminated character class/);
    expect(() => compilePythonRegex('abc\\')).toThrow(/lone backslash/);
  });
});
