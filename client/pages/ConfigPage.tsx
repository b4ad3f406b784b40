import type { ComponentChildren } from 'preact';
import { Rich, t } from '../i18n/index.ts';
import { useEffect } from 'preact/hooks';
import { PageHeader } from '../components/board/PageHeader.tsx';
import { Loaded } from '../components/board/States.tsx';
import { PolicyConfig } from '../components/board/PolicyConfig.tsx';
import { Ago, At } from '../components/board/Time.tsx';
import type { ConfigView } from '../services/agent-types.ts';
import { useServices } from '../services/index.ts';
import { HostStateBadge } from '../components/HostState.tsx';
import { addEnglish } from '../i18n/index.ts';
import { config as strings } from '../i18n/en/config.ts';
import { configIssueText } from '../services/config-issue.ts';

addEnglish(strings);

/** The running hosts.yaml and policy.yaml as readable structure (secrets redacted by the server), warnings, and the last load error. */
export function ConfigPage() {
  const { agentConfig, hosts } = useServices();
  useEffect(() => {
    agentConfig.use();
    hosts.use();
  }, []);
  return (
    <div class="page config-page">
      <PageHeader title={t('nav.config')} sub={t('cfg.sub')} />
      <Loaded resource={agentConfig} what={t('cfg.what')}>
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
            {t('cfg.warnings')} <span class="count-pill">{config.warnings.length}</span>
          </h2>
          <ul class="warnings">
            {config.warnings.map((w, i) => (
              <li key={i}>
                <code>{configIssueText(w)}</code>
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
        <Rich k="cfg.loadedOk" values={{ time: config.loadedAt ? <Ago iso={config.loadedAt} /> : '' }} />
      </p>
    );
  }
  return (
    <section class="notice notice-error" role="alert" aria-labelledby="config-error-title" data-testid="config-error">
      <h2 id="config-error-title">
        {t('cfg.rejected')}
        {error.at && (
          <>
            {' '}
            (<At iso={error.at} />)
          </>
        )}
      </h2>
      <p>{t('cfg.keepsRunning')}</p>
      <ul class="warnings">
        {error.errors.map((e, i) => (
          <li key={i}>
            <code class="error-text">{configIssueText(e)}</code>
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

const None = ({ text }: { text?: string }) => <span class="muted">{text ?? t('cfg.none')}</span>;

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
      <h2 id="config-settings-title">{t('cfg.files')}</h2>
      <dl class="facts wide-facts">
        <Fact label="hosts.yaml">{config.sources.hostsPath ? <code class="path">{config.sources.hostsPath}</code> : <None text={t('cfg.noHosts')} />}</Fact>
        <Fact label="policy.yaml">{config.sources.policyPath ? <code class="path">{config.sources.policyPath}</code> : <None text={t('cfg.noPolicy')} />}</Fact>
        <Fact label={t('cfg.loaded')}>{config.loadedAt ? <At iso={config.loadedAt} /> : <None />}</Fact>
        <Fact label={t('cfg.actions')}>{config.dryRun ? <strong class="warn-text">{t('cfg.dryRun')}</strong> : t('cfg.runInPanes')}</Fact>
        <Fact label={t('cfg.poll')}>{config.pollIntervalMs} ms</Fact>
        <Fact label={t('cfg.approvalFiles')}>
          <code class="path">{config.approvalDir}</code>
        </Fact>
        <Fact label={t('cfg.notify')}>
          <Codes items={config.notify} />
          {inactive.length > 0 && <span class="muted small">{t('cfg.notSending', { names: inactive.join(', ') })}</span>}
        </Fact>
        <Fact label={t('cfg.approvalLinks')}>
          <code class="path">{b.effectiveBaseUrl || b.baseUrl || '—'}</code> <span class="muted small">{t('cfg.validHours', { n: b.approvalTtlHours })}</span>
        </Fact>
        {b.webhookUrls.length > 0 && (
          <Fact label={t('cfg.webhooks')}>
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
        <Fact label={t('cfg.notifyRetries')}>
          {t('cfg.retriesText', { attempts: b.notifyRetry.attempts, delay: b.notifyRetry.baseDelayMs, timeout: b.notifyRetry.timeoutMs })}
        </Fact>
        <Fact label={t('cfg.shellTimeout')}>{b.shellTimeoutMs} ms</Fact>
        <Fact label={t('cfg.fileApprovals')}>{b.fileApprovals ? t('cfg.fileApprovalsOn') : t('cfg.fileApprovalsOff')}</Fact>
        <Fact label={t('cfg.notifyLanguage')}>
          {b.notifyLanguage === 'zh-CN' ? t('cfg.notifyLanguageZh') : t('cfg.notifyLanguageEn')} <code class="scalar">{b.notifyLanguage}</code>{' '}
          <span class="muted small">{t('cfg.notifyLanguageHint')}</span>
        </Fact>
      </dl>
    </section>
  );
}

function Hosts({ hosts }: { hosts: ConfigView['hosts'] }) {
  return (
    <section class="panel" aria-labelledby="config-hosts-title">
      <h2 id="config-hosts-title">
        {t('cfg.hosts')} <span class="count-pill">{hosts.length}</span>
      </h2>
      <table class="data-table plain">
        <thead>
          <tr>
            <th scope="col">{t('cfg.host')}</th>
            <th scope="col">{t('cfg.where')}</th>
            <th scope="col">{t('cfg.socket')}</th>
            <th scope="col">{t('cfg.sessionFilters')}</th>
            <th scope="col">{t('cfg.panePatterns')}</th>
            <th scope="col">{t('cfg.capture')}</th>
            <th scope="col">{t('cfg.state')}</th>
          </tr>
        </thead>
        <tbody>
          {hosts.map((h) => (
            <tr key={h.name} data-host={h.name}>
              <th scope="row" data-label={t('cfg.host')}>
                {h.name}
              </th>
              <td data-label={t('cfg.where')}>
                {h.ssh ? (
                  <code class="scalar">
                    ssh {h.ssh.user ? `${h.ssh.user}@` : ''}
                    {h.ssh.host}:{h.ssh.port}
                  </code>
                ) : h.kind === 'bridge' ? (
                  t('cfg.bridgeMachine')
                ) : (
                  t('cfg.thisMachine')
                )}
              </td>
              <td data-label={t('cfg.socket')}>
                <code class="scalar">{h.socket}</code>
              </td>
              <td data-label={t('cfg.sessionFilters')}>
                {h.sessionFilters.length > 0 ? <Codes items={h.sessionFilters} /> : <None text={t('cfg.allSessions')} />}
              </td>
              <td data-label={t('cfg.panePatterns')}>
                {h.paneNamePatterns.length > 0 ? <Codes items={h.paneNamePatterns} /> : <None text={t('cfg.allPanes')} />}
              </td>
              <td data-label={t('cfg.capture')}>
                {t('cfg.captureText', { lines: h.captureLines, ms: h.pollIntervalMs })}
              </td>
              <td data-label={t('cfg.state')}>
                <HostCell host={h} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A remote host's connection, live from HOST_STATUS events (the config view is fetched on reloads only). */
function HostCell({ host }: { host: ConfigView['hosts'][number] }) {
  const { hosts } = useServices();
  const live = hosts.get(host.name);
  const connection = host.ssh ? (live ? { state: live.state, reason: live.reason } : host.connection) : null;
  if (connection) return <HostStateBadge state={connection.state} reason={connection.reason} showReason />;
  return host.error ? <span class="field-error">{host.error}</span> : <span class="ok-text">{t('cfg.ok')}</span>;
}
