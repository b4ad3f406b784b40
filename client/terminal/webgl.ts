import type { Terminal } from '@xterm/xterm';
import type { IDisposable } from '../lib/disposable.ts';

export type Renderer = 'webgl' | 'dom';

let usable: boolean | undefined;

/**
 * True when the browser has a hardware WebGL2. A software one (SwiftShader,
 * llvmpipe: headless Chromium, --disable-gpu, no driver) draws more slowly than
 * the DOM renderer and burns CPU, so it counts as none.
 */
export function webglUsable(): boolean {
  if (usable !== undefined) return usable;
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return (usable = false);
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
    usable = !/swiftshader|llvmpipe|software|basic render/i.test(name);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  } catch {
    usable = false;
  }
  return usable;
}

/**
 * Loads the WebGL renderer into an open terminal (its code is a chunk of its own,
 * fetched only where it is used). Undefined, and the DOM renderer stays, when
 * WebGL is unusable or the addon fails.
 */
export async function loadWebgl(term: Terminal, onLost: () => void): Promise<IDisposable | undefined> {
  if (!webglUsable()) return undefined;
  try {
    const { WebglAddon } = await import('@xterm/addon-webgl');
    const addon = new WebglAddon();
    addon.onContextLoss(() => {
      addon.dispose();
      onLost();
    });
    term.loadAddon(addon);
    return addon;
  } catch {
    return undefined;
  }
}
