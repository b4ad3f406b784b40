import type { Params } from './types.ts';

/**
 * `{name}` placeholders replaced by their values; unknown placeholders stay visible.
 * A module of its own (no catalog, no browser code) so that the server can word its
 * notifications with the same function (server/agent/notify/language.ts).
 */
export function interpolate(text: string, params: Params | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
