import { withBase } from './base-path.ts';

const sheets = new Map<string, Promise<void>>();

/**
 * Adds the stylesheet of a lazily loaded part (dist/client/styles/<name>.css, built
 * from client/styles/<name>.bundle.css) and resolves once it applies, so the part
 * never paints unstyled. Once per page; a failed load may be retried.
 */
export function loadStylesheet(name: 'terminal' | 'queues'): Promise<void> {
  let sheet = sheets.get(name);
  if (!sheet) {
    sheet = new Promise<void>((resolve, reject) => {
      const link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = withBase(`/styles/${name}.css`);
      link.onload = () => resolve();
      link.onerror = () => {
        sheets.delete(name);
        link.remove();
        reject(new Error(`the ${name} stylesheet did not load`));
      };
      document.head.appendChild(link);
    });
    sheets.set(name, sheet);
  }
  return sheet;
}
