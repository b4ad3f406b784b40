/**
 * Python `re` patterns (as written in tmuxagent's policy.yaml and hosts.yaml) translated
 * to JavaScript RegExps, so existing files load unchanged.
 *
 * Translated: inline global flags `(?i)` `(?s)` `(?m)` `(?x)` (and `a`, `u`, which change
 * nothing here), `(?P<name>…)`, `(?P=name)`, `(?#comment)`, `\A`, `\Z`, `{,n}`, and
 * verbose-mode whitespace and comments. Refused with a message saying what to write
 * instead: scoped flags `(?i:…)`, conditionals, atomic groups, possessive quantifiers.
 * Patterns are used with `search` semantics (`regex.test(line)`), never with the `g`
 * flag, so a compiled RegExp is stateless and can be shared.
 */

import { errorMessage } from '../../../base/errors.ts';

export class PythonRegexError extends Error {
  override readonly name = 'PythonRegexError';
}

export interface TranslatedRegex {
  readonly source: string;
  /** Sorted subset of `ims`. */
  readonly flags: string;
  readonly warnings: readonly string[];
}

export interface CompiledRegex {
  readonly regex: RegExp;
  /** The pattern as written in the file. */
  readonly pattern: string;
  readonly warnings: readonly string[];
}

const FLAG_GROUP = /^\(\?([aiLmsux]+)\)/;
const SCOPED_FLAGS = /^\(\?[aiLmsux]*(?:-[imsx]+)?:/;
const QUANTIFIER_END = new Set(['*', '+', '?', '}']);

interface Pass {
  source: string;
  flags: Set<string>;
  warnings: string[];
}

/** One translation pass; `verbose` is known only after a first pass has seen the flags. */
function translatePass(pattern: string, verbose: boolean, multiline: boolean): Pass {
  const flags = new Set<string>();
  const warnings: string[] = [];
  let out = '';
  let inClass = false;
  let lastWasQuantifier = false;
  let i = 0;

  while (i < pattern.length) {
    const ch = pattern[i]!;
    const rest = pattern.slice(i, i + 64);

    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new PythonRegexError('the pattern ends with a lone backslash; write \\\\ for a literal backslash');
      if (!inClass && next === 'A') {
        out += multiline ? '(?<![\\s\\S])' : '^';
      } else if (!inClass && (next === 'Z' || next === 'z')) {
        out += multiline ? '(?![\\s\\S])' : '$';
      } else if (next === 'U' || next === 'N') {
        throw new PythonRegexError(`\\${next} escapes are not supported; write the character itself or use \\uXXXX`);
      } else {
        out += ch + next;
      }
      i += 2;
      lastWasQuantifier = false;
      continue;
    }

    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      i += 1;
      continue;
    }

    if (verbose && /\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (verbose && ch === '#') {
      const end = pattern.indexOf('\n', i);
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }

    if (ch === '[') {
      inClass = true;
      out += ch;
      // A `]` right after `[` or `[^` is a literal in both dialects: copy it now.
      if (pattern[i + 1] === '^') {
        out += '^';
        i += 1;
      }
      if (pattern[i + 1] === ']') {
        out += '\\]';
        i += 1;
      }
      i += 1;
      lastWasQuantifier = false;
      continue;
    }

    if (ch === '(' && pattern[i + 1] === '?') {
      const flagGroup = FLAG_GROUP.exec(rest);
      if (flagGroup) {
        const letters = flagGroup[1]!;
        if (out.length > 0) {
          warnings.push(`inline flags (?${letters}) not at the start apply to the whole pattern (as in Python before 3.11); move them to the start`);
        }
        for (const letter of letters) {
          if (letter === 'L') throw new PythonRegexError('the (?L) locale flag is not supported; remove it');
          flags.add(letter);
        }
        i += flagGroup[0].length;
        continue;
      }
      if (rest.startsWith('(?P<')) {
        out += '(?<';
        i += 4;
        continue;
      }
      if (rest.startsWith('(?P=')) {
        const close = pattern.indexOf(')', i);
        if (close < 0) throw new PythonRegexError('unterminated (?P=name) back-reference');
        out += `\\k<${pattern.slice(i + 4, close)}>`;
        i = close + 1;
        lastWasQuantifier = false;
        continue;
      }
      if (rest.startsWith('(?#')) {
        const close = pattern.indexOf(')', i);
        if (close < 0) throw new PythonRegexError('unterminated (?#comment)');
        i = close + 1;
        continue;
      }
      if (rest.startsWith('(?(')) {
        throw new PythonRegexError('conditional groups (?(id)yes|no) are not supported; split the condition into two conditions');
      }
      if (rest.startsWith('(?>')) {
        throw new PythonRegexError('atomic groups (?>...) are not supported; use a plain group (?:...)');
      }
      if (!rest.startsWith('(?:') && SCOPED_FLAGS.test(rest)) {
        throw new PythonRegexError('scoped inline flags such as (?i:...) are not supported; put (?i) at the start of the whole pattern');
      }
    }

    if (ch === '+' && lastWasQuantifier) {
      throw new PythonRegexError('possessive quantifiers (*+, ++, ?+, {m,n}+) are not supported; drop the extra +');
    }

    if (ch === '{') {
      // Python reads `{,n}` as `{0,n}`; JavaScript would read it as literal text.
      const upTo = /^\{,(\d+)\}/.exec(rest);
      if (upTo) {
        out += `{0,${upTo[1]}}`;
        i += upTo[0].length;
        lastWasQuantifier = true;
        continue;
      }
      const counted = /^\{\d+(?:,\d*)?\}/.exec(rest);
      if (counted) {
        out += counted[0];
        i += counted[0].length;
        lastWasQuantifier = true;
        continue;
      }
    }

    out += ch;
    i += 1;
    // `a*?` is lazy (fine); `a*+` is possessive (refused above).
    lastWasQuantifier = QUANTIFIER_END.has(ch) && !(ch === '?' && lastWasQuantifier) && ch !== '}';
  }

  if (inClass) throw new PythonRegexError('unterminated character class: a [ has no matching ]');
  return { source: out, flags, warnings };
}

/** Translate a Python pattern; throws `PythonRegexError` for constructs JavaScript cannot express. */
export function translatePythonRegex(pattern: string): TranslatedRegex {
  // First pass finds the flags; verbose and multiline change how the rest reads.
  let pass = translatePass(pattern, false, false);
  if (pass.flags.has('x') || pass.flags.has('m')) {
    pass = translatePass(pattern, pass.flags.has('x'), pass.flags.has('m'));
  }
  const flags = ['i', 'm', 's'].filter((flag) => pass.flags.has(flag)).join('');
  return { source: pass.source, flags, warnings: pass.warnings };
}

/** Translate and compile; the error message names the pattern and says what is wrong. */
export function compilePythonRegex(pattern: string): CompiledRegex {
  let translated: TranslatedRegex;
  try {
    translated = translatePythonRegex(pattern);
  } catch (error) {
    if (error instanceof PythonRegexError) throw new PythonRegexError(`invalid regex ${JSON.stringify(pattern)}: ${error.message}`);
    throw error;
  }
  try {
    return { regex: new RegExp(translated.source, translated.flags), pattern, warnings: translated.warnings };
  } catch (error) {
    const reason = errorMessage(error).replace(/^Invalid regular expression: /, '');
    throw new PythonRegexError(`invalid regex ${JSON.stringify(pattern)}: ${reason}`);
  }
}
