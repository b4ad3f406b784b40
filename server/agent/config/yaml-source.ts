/**
 * A YAML file parsed the way PyYAML's `safe_load` read it (YAML 1.1: `yes`/`on` are
 * booleans, `<<` merge keys), with the positions needed to point an error at
 * `file:line:column` and the path of the bad key.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { ConfigIssue, IssuePath } from './types.ts';
import { errorMessage } from '../../../base/errors.ts';
import { words } from './words.ts';

// PyYAML's booleans: YAML 1.1 without the single letters y/n, which `yaml` would
// otherwise read as true/false (a key `y:` would silently become `true:`).
const PY_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PY_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
// PyYAML's floats need a dot (and a signed exponent): `E1`, `1e3` and `.` stay strings,
// where `yaml` would read `E1` as NaN (an escalate code!) and `1e3` as 1000.
const PY_FLOAT_EXP = /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)[eE][-+][0-9]+$/;
const PY_FLOAT = /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)$/;

/** The YAML 1.1 tags, with booleans and floats resolved as PyYAML resolves them. */
function pyYamlTag<T>(tag: T): T {
  if (typeof tag !== 'object' || tag === null || !('test' in tag) || !(tag.test instanceof RegExp) || !('tag' in tag)) return tag;
  if (tag.tag === 'tag:yaml.org,2002:bool') return { ...tag, test: tag.test.test('true') ? PY_TRUE : PY_FALSE };
  if (tag.tag === 'tag:yaml.org,2002:float' && !/inf/.test(tag.test.source)) {
    return { ...tag, test: /\[eE\]/.test(tag.test.source) ? PY_FLOAT_EXP : PY_FLOAT };
  }
  return tag;
}

export interface YamlSource {
  readonly file: string;
  /** The plain JS value (undefined for an empty file). */
  readonly data: unknown;
  /** Syntax errors; when not empty, `data` must not be used. */
  readonly errors: ConfigIssue[];
  /** Position of a path, or of its deepest existing ancestor. */
  locate(path: IssuePath): { line: number; column: number };
}

/** `['pipelines', 0, 'stages', 1, 'triggers']` → `pipelines[0].stages[1].triggers`. */
export function formatIssuePath(path: IssuePath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out.length === 0 ? segment : `.${segment}`;
  }
  return out.length > 0 ? out : '(top level)';
}

/** `policy.yaml:12:5: pipelines[0].name: message`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return `${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    version: '1.1',
    merge: true,
    prettyErrors: false,
    uniqueKeys: true,
    customTags: (tags) => tags.map(pyYamlTag),
  });

  const position = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };

  const seen = new Set<string>();
  const errors: ConfigIssue[] = [];
  for (const error of doc.errors) {
    const at = error.linePos?.[0] ?? position(error.pos[0]);
    const line = 'line' in at ? at.line : 1;
    const column = 'col' in at ? at.col : 1;
    // The library's message ends with " at line N, column M:" and a code excerpt: keep the first sentence.
    const message = error.message.split(/ at line \d+, column \d+/)[0]!.trim();
    // One broken bracket often yields the same complaint several times.
    const key = `${line}:${column}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push({ file, line, column, path: '', ...words('config_yaml_syntax', { error: message }) });
  }

  let data: unknown;
  if (errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      errors.push({ file, line: 1, column: 1, path: '', ...words('config_yaml', { error: errorMessage(error) }) });
    }
  }

  return {
    file,
    data,
    errors,
    locate: (path) => {
      const offset = locateOffset(doc, path);
      return position(offset);
    },
  };
}

/** Offset of the key (for maps) or item (for sequences) a path names, or of its deepest existing ancestor. */
function locateOffset(doc: Document, path: IssuePath): number {
  let node: unknown = doc.contents;
  let best = rangeStart(node) ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      best = rangeStart(pair.key) ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      best = rangeStart(item) ?? best;
      node = item;
    } else {
      break;
    }
  }
  return best;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
