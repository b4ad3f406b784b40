/** Longest OSC 52 payload accepted (base64 characters): a clipboard, not a file transfer. */
export const OSC52_MAX = 1_000_000;

export type Osc52Request = { readonly kind: 'set'; readonly text: string } | { readonly kind: 'query' } | { readonly kind: 'invalid' };

/**
 * Parses the data of an OSC 52 sequence (`ESC ] 52 ; <targets> ; <base64> BEL`):
 * a text to put on the clipboard, a query (`?`, which is never answered: a program
 * must not read the user's clipboard), or something malformed.
 */
export function parseOsc52(data: string): Osc52Request {
  const semi = data.indexOf(';');
  if (semi < 0) return { kind: 'invalid' };
  const payload = data.slice(semi + 1);
  if (payload === '?') return { kind: 'query' };
  if (payload.length > OSC52_MAX || !/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) return { kind: 'invalid' };
  try {
    const binary = atob(payload);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return { kind: 'set', text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { kind: 'invalid' };
  }
}
