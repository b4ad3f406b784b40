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
import { regexWords, words, type IssueWords } from './words.ts';

/** A pattern JavaScript cannot run; `words` has its code for the UI. */
export class PythonRegexError extends Error {
  override readonly name = 'PythonRegexError';
  constructor(readonly words: IssueWords) {
    super(words.message);
  }
}

const refuse = (reason: IssueWords) => new PythonRegexError(reason);

export interface TranslatedRegex {
  readonly source: string;
  /** Sorted subset of `ims`. */
  readonly flags: string;
  readonly warnings: readonly string[];
  /** `warnings` with their codes. */
  readonly warningWords: readonly IssueWords[];
}

export interface CompiledRegex {
  readonly regex: RegExp;
  /** The pattern as written in the file. */
  readonly pattern: string;
  readonly warnings: readonly string[];
  /** `warnings` with their codes. */
  readonly warningWords: readonly IssueWords[];
}

const FLAG_GROUP = /^\(\?([aiLmsux]+)\)/;
const SCOPED_FLAGS = /^\(\?[aiLmsux]*(?:-[imsx]+)?:/;
const QUANTIFIER_END = new Set(['*', '+', '?', '}']);

interface Pass {
  source: string;
  flags: Set<string>;
  warnings: IssueWords[];
}

/** One translation pass; `verbose` is known only after a first pass has seen the flags. */
function translatePass(pattern: string, verbose: boolean, multiline: boolean): Pass {
  const flags = new Set<string>();
  const warnings: IssueWords[] = [];
  let out = '';
  let inClass = false;
  let lastWasQuantifier = false;
  let i = 0;

  while (i < pattern.length) {
    const ch = pattern[i]!;
    const rest = pattern.slice(i, i + 64);

    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw refuse(words('config_regex_lone_backslash'));
      if (!inClass && next === 'A') {
        out += multiline ? '(?<![\\s\\S])' : '^';
      } else if (!inClass && (next === 'Z' || next === 'z')) {
        out += multiline ? '(?![\\s\\S])' : '$';
      } else if (next === 'U' || next === 'N') {
        throw refuse(words('config_regex_escape', { escape: `\\${next}` }));
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
          warnings.push(words('config_regex_late_flags', { flags: letters }));
        }
        for (const letter of letters) {
          if (letter === 'L') throw refuse(words('config_regex_locale'));
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
        if (close < 0) throw refuse(words('config_regex_backref'));
        out += `\\k<${pattern.slice(i + 4, close)}>`;
        i = close + 1;
        lastWasQuantifier = false;
        continue;
      }
      if (rest.startsWith('(?#')) {
        const close = pattern.indexOf(')', i);
        if (close < 0) throw refuse(words('config_regex_comment'));
        i = close + 1;
        continue;
      }
      if (rest.startsWith('(?(')) {
        throw refuse(words('config_regex_conditional'));
      }
      if (rest.startsWith('(?>')) {
        throw refuse(words('config_regex_atomic'));
      }
      if (!rest.startsWith('(?:') && SCOPED_FLAGS.test(rest)) {
        throw refuse(words('config_regex_scoped_flags'));
      }
    }

    if (ch === '+' && lastWasQuantifier) {
      throw refuse(words('config_regex_possessive'));
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

  if (inClass) throw refuse(words('config_regex_class'));
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
  return { source: pass.source, flags, warnings: pass.warnings.map((w) => w.message), warningWords: pass.warnings };
}

/** Translate and compile; the error message names the pattern and says what is wrong. */
export function compilePythonRegex(pattern: string): CompiledRegex {
  let translated: TranslatedRegex;
  try {
    translated = translatePythonRegex(pattern);
  } catch (error) {
    if (error instanceof PythonRegexError) throw refuse(regexWords(pattern, error.words));
    throw error;
  }
  try {
    return { regex: new RegExp(translated.source, translated.flags), pattern, warnings: translated.warnings, warningWords: translated.warningWords };
  } catch (error) {
    const reason = errorMessage(error).replace(/^Invalid regular expression: /, '');
    throw refuse(regexWords(pattern, words('config_regex_engine', { error: reason })));
  }
}
