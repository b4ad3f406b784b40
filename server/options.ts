import { resolve } from 'node:path';
import { z } from 'zod';
import type { RetentionOptions } from './store/index.ts';

/** Everything `tmux-bridge serve` can be told, from flags, environment and defaults. */
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

export const BridgeOptions = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(7690),
  dataDir: z.string().min(1).default('./data'),
  /** tmux socket name (`tmux -L`); `default` is the user's own server. */
  socket: z.string().min(1).default('tmux-bridge'),
  /** tmux socket path (`tmux -S`), wins over `socket`. */
  socketPath: z.string().min(1).optional(),
  /** tmux config for a server the bridge starts (`tmux -f`). */
  tmuxConfig: z.string().min(1).optional(),
  /** tmuxagent hosts.yaml and policy.yaml. */
  config: z.string().min(1).optional(),
  policy: z.string().min(1).optional(),
  allowOrigin: z.array(z.string().url()).default([]),
  /** Host names served besides the listen address and loopback (DNS rebinding check). */
  allowedHosts: z.array(z.string().min(1).max(253)).default([]),
  token: z.string().min(16).optional(),
  historyLimit: z.coerce.number().int().min(100).max(1_000_000).default(50_000),
  pollIntervalMs: z.coerce.number().int().min(50).max(10_000).default(500),
  ringBytes: z.coerce.number().int().min(1024 * 1024).default(2 * 1024 * 1024),
  dryRun: z.boolean().default(false),
  quiet: z.boolean().default(false),
  /** HTTPS and WSS with this certificate chain and key (PEM files). */
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  /** Listening beyond loopback without TLS is refused unless this is set. */
  insecureListen: z.boolean().default(false),
  /** Believe X-Forwarded-For/-Proto/-Host from a reverse proxy on loopback. */
  trustProxy: z.boolean().default(false),
  /** Path prefix everything is served under, e.g. /tmux (from --base-path or --public-url). */
  basePath: z
    .string()
    .regex(/^\/?([A-Za-z0-9._~-]+\/?)*$/, 'a path such as /tmux/ (letters, digits, . _ ~ - between slashes)')
    .default(''),
  /** The URL people open (a proxy's), for the printed login link and approval links. */
  publicUrl: z.string().url().optional(),
  /** Serve GET /metrics (Prometheus text format). */
  metrics: z.boolean().default(false),
  /**
   * Retention per table, `name=DAYS` or `name=DAYS:ROWS` (names: RETENTION_NAMES); the rest keep
   * their defaults.
   */
  retention: z
    .array(z.string().regex(RETENTION_ENTRY, `expected NAME=DAYS or NAME=DAYS:ROWS, NAME one of ${Object.keys(RETENTION_NAMES).join(', ')}`))
    .default([]),
  /** A token that is good for /metrics only (implies `metrics`). */
  metricsToken: z.string().min(16, 'the metrics token needs at least 16 characters').optional(),
});
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

const FLAGS: Record<string, { key: keyof BridgeOptionsInput; kind: 'string' | 'list' | 'bool' }> = {
  '--host': { key: 'host', kind: 'string' },
  '--port': { key: 'port', kind: 'string' },
  '--data-dir': { key: 'dataDir', kind: 'string' },
  '--socket': { key: 'socket', kind: 'string' },
  '--socket-path': { key: 'socketPath', kind: 'string' },
  '--tmux-config': { key: 'tmuxConfig', kind: 'string' },
  '--config': { key: 'config', kind: 'string' },
  '--policy': { key: 'policy', kind: 'string' },
  '--allow-origin': { key: 'allowOrigin', kind: 'list' },
  '--allowed-hosts': { key: 'allowedHosts', kind: 'list' },
  '--history-limit': { key: 'historyLimit', kind: 'string' },
  '--poll-interval-ms': { key: 'pollIntervalMs', kind: 'string' },
  '--dry-run': { key: 'dryRun', kind: 'bool' },
  '--quiet': { key: 'quiet', kind: 'bool' },
  '--tls-cert': { key: 'tlsCert', kind: 'string' },
  '--tls-key': { key: 'tlsKey', kind: 'string' },
  '--insecure-listen': { key: 'insecureListen', kind: 'bool' },
  '--trust-proxy': { key: 'trustProxy', kind: 'bool' },
  '--base-path': { key: 'basePath', kind: 'string' },
  '--public-url': { key: 'publicUrl', kind: 'string' },
  '--metrics': { key: 'metrics', kind: 'bool' },
  '--metrics-token': { key: 'metricsToken', kind: 'string' },
  '--retention': { key: 'retention', kind: 'list' },
};

export const FLAG_HELP = `Options (environment variables in brackets):
  --host HOST            listen address (127.0.0.1) [TMUX_BRIDGE_HOST]
  --port PORT            listen port, 0 picks a free one (7690) [TMUX_BRIDGE_PORT]
  --data-dir DIR         state, token and FIFOs (./data) [TMUX_BRIDGE_DATA]
  --socket NAME          tmux -L socket name; "default" = your own tmux server (tmux-bridge) [TMUX_BRIDGE_SOCKET]
  --socket-path PATH     tmux -S socket path instead of a name
  --tmux-config FILE     config file for a tmux server the bridge starts (tmux's default otherwise)
  --config FILE          tmuxagent hosts.yaml
  --policy FILE          tmuxagent policy.yaml
  --allow-origin URL     another origin allowed to call the API (repeatable)
  --allowed-hosts NAMES  host names (comma-separated, repeatable) served besides the listen address and loopback
  --history-limit N      tmux history-limit for new panes on the bridge's own server (50000)
  --poll-interval-ms N   how often tmux is re-listed for exits and resizes (500)
  --dry-run              agent actions are logged instead of run
  --quiet                print only the two start lines
  --tls-cert FILE        serve HTTPS and WSS with this PEM certificate chain [TMUX_BRIDGE_TLS_CERT]
  --tls-key FILE         and this PEM private key [TMUX_BRIDGE_TLS_KEY]
  --insecure-listen      allow a non-loopback --host without TLS (clear text: only on a trusted network)
  --trust-proxy          behind nginx/Caddy on this machine: use X-Forwarded-For/-Proto/-Host
  --base-path PATH       serve everything under PATH, e.g. /tmux/ (pages, API, WebSockets, login)
  --public-url URL       the URL people open through the proxy, e.g. https://host/tmux/ (sets --base-path)
  --metrics              serve GET /metrics for Prometheus (Bearer access token)
  --metrics-token T      a token good only for /metrics; implies --metrics [TMUX_BRIDGE_METRICS_TOKEN]
  --retention N=D[:R]    keep table N for D days (and at most R rows), comma-separated; N is events (30:100000),
                         audit (90:200000), stage-history (90:200000), notifications (30:50000),
                         approvals (90:50000), sessions (90:20000), approval-tokens (7), executions (90:50000),
                         cli-output (30:500000), flow-runs (180:20000), archived-queues (365:5000),
                         issue-history (365:500000), closed-issues (kept until set)
  [TMUX_BRIDGE_TOKEN]    use this access token instead of <data-dir>/token`;

/** Flags win over environment variables, which win over defaults. */
export function parseServeArgs(argv: readonly string[], env: NodeJS.ProcessEnv): BridgeOptionsInput {
  const out: Record<string, unknown> = {};
  if (env.TMUX_BRIDGE_HOST) out.host = env.TMUX_BRIDGE_HOST;
  if (env.TMUX_BRIDGE_PORT) out.port = env.TMUX_BRIDGE_PORT;
  if (env.TMUX_BRIDGE_DATA) out.dataDir = env.TMUX_BRIDGE_DATA;
  if (env.TMUX_BRIDGE_SOCKET) out.socket = env.TMUX_BRIDGE_SOCKET;
  if (env.TMUX_BRIDGE_TOKEN) out.token = env.TMUX_BRIDGE_TOKEN;
  if (env.TMUX_BRIDGE_TLS_CERT) out.tlsCert = env.TMUX_BRIDGE_TLS_CERT;
  if (env.TMUX_BRIDGE_TLS_KEY) out.tlsKey = env.TMUX_BRIDGE_TLS_KEY;
  if (env.TMUX_BRIDGE_BASE_PATH) out.basePath = env.TMUX_BRIDGE_BASE_PATH;
  if (env.TMUX_BRIDGE_PUBLIC_URL) out.publicUrl = env.TMUX_BRIDGE_PUBLIC_URL;
  if (env.TMUX_BRIDGE_METRICS_TOKEN) out.metricsToken = env.TMUX_BRIDGE_METRICS_TOKEN;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const flag = FLAGS[name];
    if (!flag) throw new Error(`unknown option "${arg}"\n\n${FLAG_HELP}`);
    if (flag.kind === 'bool') {
      out[flag.key] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`option ${name} needs a value`);
    const values = flag.key === 'allowedHosts' || flag.key === 'retention' ? value.split(',').map((v) => v.trim()).filter(Boolean) : [value];
    if (flag.kind === 'list') out[flag.key] = [...((out[flag.key] as string[] | undefined) ?? []), ...values];
    else out[flag.key] = value;
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
