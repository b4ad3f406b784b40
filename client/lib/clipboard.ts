/**
 * Copies text: the async Clipboard API where the page may use it (https or
 * localhost), else a hidden textarea and `execCommand('copy')`. Resolves
 * false when neither worked, so the caller can ask for Ctrl+C instead.
 */
export async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // denied or unfocused: try the old way
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  area.style.left = '-9999px';
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  previous?.focus();
  return ok;
}

/** Reads the clipboard with the async API; undefined where the page may not (plain http, denied). */
export async function readText(): Promise<string | undefined> {
  if (!navigator.clipboard?.readText || !window.isSecureContext) return undefined;
  try {
    return await navigator.clipboard.readText();
  } catch {
    return undefined;
  }
}
