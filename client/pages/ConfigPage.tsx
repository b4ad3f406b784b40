import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { PageHeader } from '../components/board/PageHeader.tsx';
import { Loaded } from '../components/board/States.tsx';
import { PolicyConfig } from '../components/board/PolicyConfig.tsx';
import { Ago, At } from '../components/board/Time.tsx';
import type { ConfigView } from '../services/agent-types.ts';
import { useServices } from '../services/index.ts';

/** The running hosts.yaml and policy.yaml as readable structure (secrets redacted by the server), warnings, and the last load error. */
export function ConfigPage() {
  const { agentConfig } = useServices();
  useEffect(() => agentConfig.use(), []);
  return (
    <div class="page config-page">
      <PageHeader title="Config" sub="What the agent runs with now. Both files are watched: saving them updates this page by itself." />
      <Loaded resource={agentConfig} what="the agent config">
        {(config) => <Config config={config} />}
      </Loaded>
    </div>
  );
}

function Config({ config }: { config: ConfigView }) {
  return (
    <>
      <LoadStatus config={config} />
      {config.warnings.length > 0 && (
        <section class="notice notice-warn" aria-labelledby="config-warnings-title">
          <h2 id="config-warnings-title">
            Warnings <span class="count-pill">{config.warnings.length}</span>
          </h2>
          <ul class="warnings">
            {config.warnings.map((w, i) => (
              <li key={i}>
                <code>{w.text}</code>
              </li>
            ))}
          </ul>
        </section>
      )}
      <Settings config={config} />
      <Hosts hosts={config.hosts} />
      <PolicyConfig config={config} />
    </>
  );
}

function LoadStatus({ config }: { config: ConfigView }) {
  const error = config.lastError;
  if (!error) {
    return (
      <p class="notice notice-ok" data-testid="config-ok">
        Loaded without errors {config.loadedAt && <Ago iso={config.loadedAt} />}.
      </p>
    );
  }
  return (
    <section class="notice notice-error" role="alert" aria-labelledby="config-error-title" data-testid="config-error">
      <h2 id="config-error-title">The last edit was rejected{error.at && <> (<At iso={error.at} />)</>}</h2>
      <p>The configuration below keeps running. Fix the file and save it again; this page updates by itself.</p>
      <ul class="warnings">
        {error.errors.map((e, i) => (
          <li key={i}>
            <code class="error-text">{e.text}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Fact({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const None = ({ text = 'none' }: { text?: string }) => <span class="muted">{text}</span>;

function Codes({ items }: { items: readonly string[] }) {
  if (items.length === 0) return <None />;
  return (
    <span class="inline-list">
      {items.map((item, i) => (
        <code key={i} class="scalar">
          {item}
        </code>
      ))}
    </span>
  );
}

function Settings({ config }: { config: ConfigView }) {
  const b = config.bridge;
  const inactive = config.notify.filter((c) => !config.activeChannels.includes(c));
  return (
    <section class="panel" aria-labelledby="config-settings-title">
      <h2 id="config-settings-title">Files and settings</h2>
      <dl class="facts wide-facts">
        <Fact label="hosts.yaml">{config.sources.hostsPath ? <code class="path">{config.sources.hostsPath}</code> : <None text="not given: the bridge's own tmux server is watched as host “local”" />}</Fact>
        <Fact label="policy.yaml">{config.sources.policyPath ? <code class="path">{config.sources.policyPath}</code> : <None text="not given: no pipelines run" />}</Fact>
        <Fact label="Loaded">{config.loadedAt ? <At iso={config.loadedAt} /> : <None />}</Fact>
        <Fact label="Actions">{config.dryRun ? <strong class="warn-text">dry run: actions are logged, not run</strong> : 'run in the panes'}</Fact>
        <Fact label="Poll interval">{config.pollIntervalMs} ms</Fact>
        <Fact label="Approval files">
          <code class="path">{config.approvalDir}</code>
        </Fact>
        <Fact label="Notify">
          <Codes items={config.notify} />
          {inactive.length > 0 && <span class="muted small"> — not sending (secret missing): {inactive.join(', ')}</span>}
        </Fact>
        <Fact label="Approval links">
          <code class="path">{b.effectiveBaseUrl || b.baseUrl || '—'}</code> <span class="muted small">valid {b.approvalTtlHours} h</span>
        </Fact>
        {b.webhookUrls.length > 0 && (
          <Fact label="Webhooks">
            <Codes items={b.webhookUrls} />
          </Fact>
        )}
        {b.wecomWebhook && (
          <Fact label="WeCom">
            <code class="path">{b.wecomWebhook}</code>
          </Fact>
        )}
        {b.serverchanBaseUrl && (
          <Fact label="ServerChan">
            <code class="path">{b.serverchanBaseUrl}</code>
          </Fact>
        )}
        <Fact label="Notify retries">
          {b.notifyRetry.attempts} tries, from {b.notifyRetry.baseDelayMs} ms, {b.notifyRetry.timeoutMs} ms each
        </Fact>
        <Fact label="Shell timeout">{b.shellTimeoutMs} ms</Fact>
      </dl>
    </section>
  );
}

function Hosts({ hosts }: { hosts: ConfigView['hosts'] }) {
  return (
    <section class="panel" aria-labelledby="config-hosts-title">
      <h2 id="config-hosts-title">
        Hosts <span class="count-pill">{hosts.length}</span>
      </h2>
      <table class="data-table plain">
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">Where</th>
            <th scope="col">tmux socket</th>
            <th scope="col">Session filters</th>
            <th scope="col">Pane patterns</th>
            <th scope="col">Capture / poll</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {hosts.map((h) => (
            <tr key={h.name} data-host={h.name}>
              <th scope="row" data-label="Host">
                {h.name}
              </th>
              <td data-label="Where">
                {h.ssh ? (
                  <code class="scalar">
                    ssh {h.ssh.user ? `${h.ssh.user}@` : ''}
                    {h.ssh.host}:{h.ssh.port}
                  </code>
                ) : h.kind === 'bridge' ? (
                  "this machine (the bridge's own tmux server)"
                ) : (
                  'this machine'
                )}
              </td>
              <td data-label="tmux socket">
                <code class="scalar">{h.socket}</code>
              </td>
              <td data-label="Session filters">
                {h.sessionFilters.length > 0 ? <Codes items={h.sessionFilters} /> : <None text="all sessions" />}
              </td>
              <td data-label="Pane patterns">
                {h.paneNamePatterns.length > 0 ? <Codes items={h.paneNamePatterns} /> : <None text="all panes" />}
              </td>
              <td data-label="Capture / poll">
                {h.captureLines} lines / {h.pollIntervalMs} ms
              </td>
              <td data-label="State">{h.error ? <span class="field-error">{h.error}</span> : <span class="ok-text">ok</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
