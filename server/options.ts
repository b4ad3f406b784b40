import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_RETENTION, type Retention, type RetentionOptions } from './store/index.ts';

/** `--retention` table names and the store's retention keys they set. */
const RETENTION_NAMES = {
  events: 'events',
  audit: 'audit',
  'stage-history': 'stageHistory',
  notifications: 'notifications',
  approvals: 'approvals',
  sessions: 'sessions',
  'approval-tokens': 'approvalTokens',
  executions: 'executions',
  'cli-output': 'cliOutput',
  'flow-runs': 'flowRuns',
  'archived-queues': 'archivedQueues',
  'issue-history': 'issueHistory',
  'closed-issues': 'closedIssues',
} as const satisfies Record<string, keyof RetentionOptions>;
const RETENTION_ENTRY = new RegExp(`^(${Object.keys(RETENTION_NAMES).join('|')})=\\d+(\\.\\d+)?(:\\d+)?$`);

/**
 * One option, defined once: its schema, and where it may come from. `flag` is the flag and the
 * placeholder of its value in --help (no placeholder: a switch); `env` the environment variable
 * it is read from; `help` the --help text, to which the schema's default and the variable are added.
 */
interface OptionSpec {
  readonly schema: z.ZodType;
  readonly flag?: `--${string}`;
  /** A value flag may be given again and adds to the list; `commas` splits each value at commas too. */
  readonly takes?: 'repeat' | 'commas';
  readonly env?: `TMUX_BRIDGE_${string}`;
  readonly help?: string;
}

/** Joins words that --help must not wrap apart (a name and its default); printed as a space. */
const NO_BREAK = '\u00a0';

/** `events (30:100000), …, closed-issues (kept until set)`: the names with their default DAYS:ROWS. */
function retentionDefaults(): string {
  const days = (retention: Retention) => (retention.maxAgeMs === undefined ? undefined : retention.maxAgeMs / 86_400_000);
  return Object.entries(RETENTION_NAMES)
    .map(([name, key]) => {
      const retention: Retention = DEFAULT_RETENTION[key];
      const value = days(retention) === undefined ? 'kept until set' : `${days(retention)}${retention.maxCount === undefined ? '' : `:${retention.maxCount}`}`;
      return `${name} (${value})`.replaceAll(' ', NO_BREAK);
    })
    .join(', ');
}

/** Everything `tmux-bridge serve` can be told, from flags, environment and defaults; --help lists them in this order. */
const OPTIONS = {
  host: { schema: z.string().min(1).default('127.0.0.1'), flag: '--host HOST', env: 'TMUX_BRIDGE_HOST', help: 'listen address' },
  port: { schema: z.coerce.number().int().min(0).max(65535).default(7690), flag: '--port PORT', env: 'TMUX_BRIDGE_PORT', help: 'listen port, 0 picks a free one' },
  dataDir: { schema: z.string().min(1).default('./data'), flag: '--data-dir DIR', env: 'TMUX_BRIDGE_DATA', help: 'state, token and FIFOs' },
  /** tmux socket name (`tmux -L`); `default` is the user's own server. */
  socket: {
    schema: z.string().min(1).default('tmux-bridge'),
    flag: '--socket NAME',
    env: 'TMUX_BRIDGE_SOCKET',
    help: 'tmux -L socket name; "default" = your own tmux server',
  },
  /** tmux socket path (`tmux -S`), wins over `socket`. */
  socketPath: { schema: z.string().min(1).optional(), flag: '--socket-path PATH', help: 'tmux -S socket path instead of a name' },
  /** tmux config for a server the bridge starts (`tmux -f`). */
  tmuxConfig: { schema: z.string().min(1).optional(), flag: '--tmux-config FILE', help: "config file for a tmux server the bridge starts (tmux's default otherwise)" },
  /** tmuxagent hosts.yaml and policy.yaml. */
  config: { schema: z.string().min(1).optional(), flag: '--config FILE', help: 'tmuxagent hosts.yaml' },
  policy: { schema: z.string().min(1).optional(), flag: '--policy FILE', help: 'tmuxagent policy.yaml' },
  allowOrigin: { schema: z.array(z.string().url()).default([]), flag: '--allow-origin URL', takes: 'repeat', help: 'another origin allowed to call the API (repeatable)' },
  /** Host names served besides the listen address and loopback (DNS rebinding check). */
  allowedHosts: {
    schema: z.array(z.string().min(1).max(253)).default([]),
    flag: '--allowed-hosts NAMES',
    takes: 'commas',
    help: 'host names (comma-separated, repeatable) served besides the listen address and loopback',
  },
  historyLimit: {
    schema: z.coerce.number().int().min(100).max(1_000_000).default(50_000),
    flag: '--history-limit N',
    help: "tmux history-limit for new panes on the bridge's own server",
  },
  pollIntervalMs: { schema: z.coerce.number().int().min(50).max(10_000).default(500), flag: '--poll-interval-ms N', help: 'how often tmux is re-listed for exits and resizes' },
  /** Bytes of recent output kept per pane for a viewer that (re)connects; no flag (tests set it). */
  ringBytes: { schema: z.coerce.number().int().min(1024 * 1024).default(2 * 1024 * 1024) },
  dryRun: { schema: z.boolean().default(false), flag: '--dry-run', help: 'agent actions are logged instead of run' },
  quiet: { schema: z.boolean().default(false), flag: '--quiet', help: 'print only the two start lines' },
  /** HTTPS and WSS with this certificate chain and key (PEM files). */
  tlsCert: { schema: z.string().min(1).optional(), flag: '--tls-cert FILE', env: 'TMUX_BRIDGE_TLS_CERT', help: 'serve HTTPS and WSS with this PEM certificate chain' },
  tlsKey: { schema: z.string().min(1).optional(), flag: '--tls-key FILE', env: 'TMUX_BRIDGE_TLS_KEY', help: 'and this PEM private key' },
  /** Listening beyond loopback without TLS is refused unless this is set. */
  insecureListen: {
    schema: z.boolean().default(false),
    flag: '--insecure-listen',
    help: 'allow a non-loopback --host without TLS (clear text: only on a trusted network)',
  },
  /** Believe X-Forwarded-For/-Proto/-Host from a reverse proxy on loopback. */
  trustProxy: { schema: z.boolean().default(false), flag: '--trust-proxy', help: 'behind nginx/Caddy on this machine: use X-Forwarded-For/-Proto/-Host' },
  /** Path prefix everything is served under, e.g. /tmux (from --base-path or --public-url). */
  basePath: {
    schema: z
      .string()
      .regex(/^\/?([A-Za-z0-9._~-]+\/?)*$/, 'a path such as /tmux/ (letters, digits, . _ ~ - between slashes)')
      .default(''),
    flag: '--base-path PATH',
    env: 'TMUX_BRIDGE_BASE_PATH',
    help: 'serve everything under PATH, e.g. /tmux/ (pages, API, WebSockets, login)',
  },
  /** The URL people open (a proxy's), for the printed login link and approval links. */
  publicUrl: {
    schema: z.string().url().optional(),
    flag: '--public-url URL',
    env: 'TMUX_BRIDGE_PUBLIC_URL',
    help: 'the URL people open through the proxy, e.g. https://host/tmux/ (sets --base-path)',
  },
  /** Serve GET /metrics (Prometheus text format). */
  metrics: { schema: z.boolean().default(false), flag: '--metrics', help: 'serve GET /metrics for Prometheus (Bearer access token)' },
  /** A token that is good for /metrics only (implies `metrics`). */
  metricsToken: {
    schema: z.string().min(16, 'the metrics token needs at least 16 characters').optional(),
    flag: '--metrics-token T',
    env: 'TMUX_BRIDGE_METRICS_TOKEN',
    help: 'a token good only for /metrics; implies --metrics',
  },
  /** Retention per table, `name=DAYS` or `name=DAYS:ROWS` (names: RETENTION_NAMES); the rest keep their defaults. */
  retention: {
    schema: z
      .array(z.string().regex(RETENTION_ENTRY, `expected NAME=DAYS or NAME=DAYS:ROWS, NAME one of ${Object.keys(RETENTION_NAMES).join(', ')}`))
      .default([]),
    flag: '--retention N=D[:R]',
    takes: 'commas',
    help: `keep table N for D days (and at most R rows), comma-separated; N is ${retentionDefaults()}`,
  },
  token: { schema: z.string().min(16).optional(), env: 'TMUX_BRIDGE_TOKEN', help: 'use this access token instead of <data-dir>/token' },
} as const satisfies Record<string, OptionSpec>;

type OptionKey = keyof typeof OPTIONS;
const SPECS = Object.entries(OPTIONS) as [OptionKey, OptionSpec][];

export const BridgeOptions = z.object(
  Object.fromEntries(SPECS.map(([key, spec]) => [key, spec.schema])) as { [K in OptionKey]: (typeof OPTIONS)[K]['schema'] },
);
export type BridgeOptions = z.infer<typeof BridgeOptions>;
export type BridgeOptionsInput = z.input<typeof BridgeOptions>;

/** '/tmux/' or 'tmux' → '/tmux'; '/' or '' → ''. */
export function normalizeBasePath(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}` : '';
}

export function resolveOptions(input: BridgeOptionsInput): BridgeOptions {
  const options = BridgeOptions.parse(input);
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new Error('--tls-cert and --tls-key go together: give both PEM files, or neither');
  }
  let basePath = normalizeBasePath(options.basePath);
  if (options.publicUrl) {
    const fromUrl = normalizeBasePath(new URL(options.publicUrl).pathname);
    if (options.basePath && fromUrl !== basePath) throw new Error(`--base-path ${basePath || '/'} does not match the path of --public-url ${options.publicUrl}`);
    basePath = fromUrl;
  }
  return { ...options, basePath, dataDir: resolve(options.dataDir), metrics: options.metrics || options.metricsToken !== undefined };
}

/** `--host` → the option it sets; a flag without a placeholder is a switch. */
const FLAGS = new Map(
  SPECS.flatMap(([key, spec]) => {
    if (!spec.flag) return [];
    const [name, placeholder] = spec.flag.split(' ');
    return [[name!, { key, kind: placeholder === undefined ? ('switch' as const) : (spec.takes ?? ('value' as const)) }]];
  }),
);

const HELP_WIDTH = 115;
const HELP_INDENT = 25;

/** Words wrapped at HELP_WIDTH, continuation lines under the first line's text. */
function helpLine(left: string, text: string): string {
  const lines: string[] = [];
  let line = `  ${left.padEnd(HELP_INDENT - 4)}  `;
  for (const word of text.split(' ')) {
    if (line.length + word.length > HELP_WIDTH && line.trim().length > left.length) {
      lines.push(line.trimEnd());
      line = ' '.repeat(HELP_INDENT);
    }
    line += `${word} `;
  }
  return [...lines, line.trimEnd()].join('\n').replaceAll(NO_BREAK, ' ');
}

/** Shown after a help text: the default when there is one worth saying (not false, '', []). */
function shownDefault(schema: z.ZodType): string {
  const result = schema.safeParse(undefined);
  const value = result.success ? result.data : undefined;
  return value === undefined || value === false || value === '' || (Array.isArray(value) && value.length === 0) ? '' : ` (${String(value)})`;
}

export const FLAG_HELP = [
  'Options (environment variables in brackets):',
  ...SPECS.filter(([, spec]) => spec.help).map(([, spec]) =>
    spec.flag
      ? helpLine(spec.flag, `${spec.help}${shownDefault(spec.schema)}${spec.env ? ` [${spec.env}]` : ''}`)
      : helpLine(`[${spec.env}]`, spec.help!),
  ),
].join('\n');

/** Flags win over environment variables, which win over defaults. */
export function parseServeArgs(argv: readonly string[], env: NodeJS.ProcessEnv): BridgeOptionsInput {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of SPECS) {
    const value = spec.env ? env[spec.env] : undefined;
    if (value) out[key] = value;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const flag = FLAGS.get(name);
    if (!flag) throw new Error(`unknown option "${arg}"\n\n${FLAG_HELP}`);
    if (flag.kind === 'switch') {
      out[flag.key] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`option ${name} needs a value`);
    if (flag.kind === 'value') {
      out[flag.key] = value;
      continue;
    }
    const values = flag.kind === 'commas' ? value.split(',').map((v) => v.trim()).filter(Boolean) : [value];
    out[flag.key] = [...((out[flag.key] as string[] | undefined) ?? []), ...values];
  }
  return out as BridgeOptionsInput;
}

/** `--retention` entries as the store's retention options (days → ms). */
export function retentionFrom(entries: readonly string[]): RetentionOptions {
  const out: Record<string, { maxAgeMs: number; maxCount?: number }> = {};
  for (const entry of entries) {
    const [name, value = ''] = entry.split('=') as [keyof typeof RETENTION_NAMES, string];
    const [days, rows] = value.split(':');
    out[RETENTION_NAMES[name]] = { maxAgeMs: Number(days) * 86_400_000, ...(rows ? { maxCount: Number(rows) } : {}) };
  }
  return out as RetentionOptions;
}
