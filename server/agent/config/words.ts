/**
 * The loader's own words about a config file, by code: the English it logs and
 * sends (`message`), and the code with its parameters, which the UI words in its
 * own language as the catalog's `issue.<code>` (client/i18n/<lang>/config.ts).
 * Parameters are config keys, names, patterns, paths and numbers, never words.
 */

export type IssueWordParams = Readonly<Record<string, string | number>>;

/** A problem as code, parameters and English. */
export interface IssueWords {
  readonly code: string;
  readonly params: IssueWordParams;
  readonly message: string;
}

const WORDS = {
  // validate.ts
  config_unknown_key: (p: { key: string }) => `unknown key "${p.key}" is ignored`,
  config_unknown_key_suggest: (p: { key: string; suggestion: string }) => `unknown key "${p.key}" is ignored (did you mean "${p.suggestion}"?)`,
  config_too_complex: () => 'the file could not be validated; simplify it and try again',
  // load.ts
  config_notify_channel: (p: { name: string; supported: string }) =>
    `notification channel "${p.name}" is not supported and is skipped (supported: ${p.supported})`,
  config_top_level_list: (p: { file: string; example: string }) => `${p.file} must be a mapping of keys (such as ${p.example}), not a list`,
  config_top_level_string: (p: { file: string; example: string }) => `${p.file} must be a mapping of keys (such as ${p.example}), not a string`,
  config_top_level_number: (p: { file: string; example: string }) => `${p.file} must be a mapping of keys (such as ${p.example}), not a number`,
  config_top_level_boolean: (p: { file: string; example: string }) => `${p.file} must be a mapping of keys (such as ${p.example}), not a boolean`,
  config_not_a_file: () => 'is not a regular file; give the path of the YAML file',
  config_file_too_big: (p: { size: number; max: number }) => `is ${p.size} bytes; a config file is at most ${p.max} bytes, check the path`,
  config_no_file: () => 'does not exist; check the path (or leave the option out to run without it)',
  config_no_permission: () => 'cannot be read (permission denied)',
  config_unreadable: (p: { error: string }) => `cannot be read: ${p.error}`,
  // yaml-source.ts (`error`: the YAML library's own message)
  config_yaml_syntax: (p: { error: string }) => `YAML syntax error: ${p.error}`,
  config_yaml: (p: { error: string }) => `YAML error: ${p.error}`,
  // prepare.ts
  config_password_unused: () => 'password is not used: ssh runs with BatchMode=yes; use an ssh key (key: ~/.ssh/id_ed25519)',
  config_bare_list: () => 'a bare list of conditions is read as any_of; write {any_of: [...]} to be explicit',
  config_group_key: (p: { key: string }) => `"${p.key}" is not any_of or all_of; its conditions are read as any_of, as tmuxagent did`,
  // compile.ts
  config_host_twice: (p: { name: string }) => `host name "${p.name}" is used twice; host names must be unique`,
  config_bridge_socket_ssh: (p: { socket: string }) =>
    `"${p.socket}" means the bridge's own tmux server, which is local; an ssh host names its socket (or "default")`,
  config_no_such_stage: (p: { stage: string; stages: string }) => `"${p.stage}" is not a stage of this pipeline (stages: ${p.stages})`,
  config_own_stage: () => 'a stage cannot wait for its own success; name an earlier stage',
  config_later_stage: (p: { stage: string }) =>
    `"${p.stage}" comes later in the pipeline; stages run in order, so this holds only after a retry or reset`,
  config_pipeline_twice: (p: { name: string }) => `pipeline name "${p.name}" is used twice; pipeline names must be unique`,
  config_stage_twice: (p: { name: string; pipeline: string }) => `stage name "${p.name}" is used twice in pipeline "${p.pipeline}"`,
  // regex.ts: why a pattern is refused (regexWords puts `invalid regex "<pattern>": ` before it)
  config_regex_invalid: (p: { pattern: string }) => `invalid regex ${p.pattern}`,
  config_regex_lone_backslash: () => 'the pattern ends with a lone backslash; write \\\\ for a literal backslash',
  config_regex_escape: (p: { escape: string }) => `${p.escape} escapes are not supported; write the character itself or use \\uXXXX`,
  config_regex_locale: () => 'the (?L) locale flag is not supported; remove it',
  config_regex_backref: () => 'unterminated (?P=name) back-reference',
  config_regex_comment: () => 'unterminated (?#comment)',
  config_regex_conditional: () => 'conditional groups (?(id)yes|no) are not supported; split the condition into two conditions',
  config_regex_atomic: () => 'atomic groups (?>...) are not supported; use a plain group (?:...)',
  config_regex_scoped_flags: () => 'scoped inline flags such as (?i:...) are not supported; put (?i) at the start of the whole pattern',
  config_regex_possessive: () => 'possessive quantifiers (*+, ++, ?+, {m,n}+) are not supported; drop the extra +',
  config_regex_class: () => 'unterminated character class: a [ has no matching ]',
  /** `error`: the JavaScript engine's own message. */
  config_regex_engine: (p: { error: string }) => p.error,
  config_regex_late_flags: (p: { flags: string }) =>
    `inline flags (?${p.flags}) not at the start apply to the whole pattern (as in Python before 3.11); move them to the start`,
} satisfies Record<string, (p: never) => string>;

export type IssueCode = keyof typeof WORDS;
type ParamsOf<C extends IssueCode> = Parameters<(typeof WORDS)[C]>;

/** The words of `code` with its parameters. */
export function words<C extends IssueCode>(code: C, ...params: ParamsOf<C>): IssueWords {
  const given = (params[0] ?? {}) as IssueWordParams;
  return { code, params: given, message: (WORDS[code] as (p: IssueWordParams) => string)(given) };
}

/** A refused pattern: `invalid regex "<pattern>": <why>`, the pattern one more parameter of the reason's code. */
export function regexWords(pattern: string, reason: IssueWords): IssueWords {
  const quoted = JSON.stringify(pattern);
  return { code: reason.code, params: { ...reason.params, pattern: quoted }, message: `invalid regex ${quoted}: ${reason.message}` };
}
