import type { BridgeOptions } from '../options.ts';
import type { Check } from './doctor.ts';

/** Who can reach the server, and whether that is safe. */
export async function exposureChecks(options: BridgeOptions, loopback: ReadonlySet<string>): Promise<Check[]> {
  if (loopback.has(options.host)) {
    return [{ level: 'ok', what: 'exposure', detail: `listening on ${options.host} only (this machine; put nginx or Caddy in front for other machines)` }];
  }
  return [
    {
      level: 'warn',
      what: 'exposure',
      detail: `listening on ${options.host} without TLS: the token and every keystroke cross the network in clear text`,
      fix: 'listen on 127.0.0.1 behind nginx or Caddy with TLS (docs/deploy.md)',
    },
  ];
}
