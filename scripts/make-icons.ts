/**
 * Renders the home-screen icons (client/icons/*.png) from client/favicon.svg with
 * Chromium. Run once after changing the logo: `node --import tsx scripts/make-icons.ts`.
 * The maskable icon has the logo inside the safe zone on a full-bleed background.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const root = join(import.meta.dirname, '..');
const svg = await readFile(join(root, 'client', 'favicon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  for (const [name, size, padding] of [['icon-192.png', 192, 0], ['icon-512.png', 512, 0], ['icon-maskable-512.png', 512, 0.2]] as const) {
    await page.setViewportSize({ width: size, height: size });
    const inner = Math.round(size * (1 - 2 * padding));
    await page.setContent(
      `<body style="margin:0;background:${padding ? '#0f1419' : 'transparent'};display:grid;place-items:center;width:${size}px;height:${size}px">` +
        svg.replace('<svg ', `<svg width="${inner}" height="${inner}" `) +
        '</body>',
    );
    await page.screenshot({ path: join(root, 'client', 'icons', name), omitBackground: !padding });
  }
} finally {
  await browser.close();
}
