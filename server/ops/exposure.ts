import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { BridgeOptions } from '../options.ts';
import type { Check } from './doctor.ts';
import { errorMessage } from '../../base/errors.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface ExposureVerdict {
  /** Why the server must not start as configured (and what to do instead). */
  readonly refuse?: string;
  readonly warnings: readonly string[];
}

/** Who can reach the server with these options, and whether that is allowed. */
export function exposureVerdict(options: Pick<BridgeOptions, 'host' | 'tlsCert' | 'insecureListen' | 'trustProxy' | 'publicUrl'>): ExposureVerdict {
  const warnings: string[] = [];
  const tls = options.tlsCert !== undefined;
  if (!isLoopbackHost(options.host) && !tls) {
    const why =
      `listening on ${options.host} without TLS would send the access token, the login cookie and every keystroke ` +
      'in clear text to anyone on the network between you and this machine';
    if (!options.insecureListen) {
      return {
        refuse:
          `refusing to start: ${why}. Either serve HTTPS with --tls-cert FILE --tls-key FILE, or listen on 127.0.0.1 ` +
          'behind nginx or Caddy with TLS (docs/deploy.md), or pass --insecure-listen if this network is trusted.',
        warnings,
      };
    }
    warnings.push(`--insecure-listen: ${why}`);
  }
  if (options.trustProxy && !isLoopbackHost(options.host)) {
    warnings.push('--trust-proxy: X-Forwarded-* headers are believed only from a proxy on this machine (loopback)');
  }
  if (options.publicUrl?.startsWith('http:') && !isLoopbackHost(new URL(options.publicUrl).hostname)) {
    warnings.push(`--public-url ${options.publicUrl} is plain http: put TLS on the proxy`);
  }
  return { warnings };
}

async function tlsChecks(options: BridgeOptions): Promise<Check[]> {
  if (!options.tlsCert || !options.tlsKey) return [];
  const checks: Check[] = [];
  let certPem: Buffer;
  let keyPem: Buffer;
  try {
    certPem = await readFile(options.tlsCert);
    keyPem = await readFile(options.tlsKey);
  } catch (error) {
    return [{ level: 'fail', what: 'TLS', detail: errorMessage(error), fix: 'point --tls-cert and --tls-key at readable PEM files' }];
  }
  const keyMode = (await stat(options.tlsKey)).mode;
  if (keyMode & 0o077) {
    checks.push({ level: 'fail', what: 'TLS key', detail: `${options.tlsKey} is mode 0${(keyMode & 0o777).toString(8)}: others can read the private key`, fix: `chmod 600 ${options.tlsKey}` });
  }
  try {
    const cert = new X509Certificate(certPem);
    const key = createPrivateKey(keyPem);
    if (!cert.checkPrivateKey(key)) {
      checks.push({ level: 'fail', what: 'TLS', detail: `${options.tlsKey} is not the key of ${options.tlsCert}`, fix: 'use the key the certificate was issued for' });
    }
    const expires = new Date(cert.validTo);
    const days = Math.floor((expires.getTime() - Date.now()) / 86_400_000);
    if (days < 0) checks.push({ level: 'fail', what: 'TLS certificate', detail: `expired on ${expires.toISOString().slice(0, 10)}`, fix: 'renew it (certbot renew) and restart' });
    else if (days < 14) checks.push({ level: 'warn', what: 'TLS certificate', detail: `expires in ${days} days`, fix: 'renew it soon' });
    else checks.push({ level: 'ok', what: 'TLS certificate', detail: `${cert.subject.replace(/\n/g, ', ')}, valid until ${expires.toISOString().slice(0, 10)}` });
  } catch (error) {
    checks.push({ level: 'fail', what: 'TLS', detail: `cannot read the certificate or key: ${errorMessage(error)}`, fix: 'give PEM files (-----BEGIN CERTIFICATE----- / PRIVATE KEY-----)' });
  }
  return checks;
}

/** doctor's view of the Host/TLS settings. */
export async function exposureChecks(options: BridgeOptions): Promise<Check[]> {
  const verdict = exposureVerdict(options);
  const checks: Check[] = [];
  if (verdict.refuse) {
    checks.push({ level: 'fail', what: 'exposure', detail: `--host ${options.host} without TLS`, fix: verdict.refuse.replace(/^refusing to start: /, '') });
  } else if (isLoopbackHost(options.host)) {
    checks.push({ level: 'ok', what: 'exposure', detail: `listening on ${options.host} only${options.trustProxy ? ', behind a proxy on this machine (--trust-proxy)' : ' (other machines: put nginx or Caddy with TLS in front)'}` });
  } else {
    checks.push({ level: options.tlsCert ? 'ok' : 'warn', what: 'exposure', detail: `listening on ${options.host}${options.tlsCert ? ' with TLS' : ''}` });
  }
  for (const warning of verdict.warnings) checks.push({ level: 'warn', what: 'exposure', detail: warning, fix: 'see docs/deploy.md' });
  if (options.basePath || options.publicUrl) {
    checks.push({ level: 'info', what: 'reverse proxy', detail: `base path ${options.basePath || '/'}${options.publicUrl ? `, public URL ${options.publicUrl}` : ''}` });
  }
  return [...checks, ...(await tlsChecks(options))];
}
