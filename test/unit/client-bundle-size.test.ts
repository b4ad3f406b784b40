/**
 * The first paint stays within 10 % of its baseline (42.6 KiB gzip when the board
 * landed; docs/performance.md): `npm test` builds the client first, and the build
 * writes what the first paint loads to dist/client/sizes.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BASELINE_KIB = 42.6;
const LIMIT_BYTES = Math.round(BASELINE_KIB * 1.1 * 1024);

describe('client bundle', () => {
  it('the first paint loads at most 46.9 KiB gzip', () => {
    let sizes: { firstPaintGzipBytes: number; totalGzipBytes: number };
    try {
      sizes = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'dist', 'client', 'sizes.json'), 'utf8'));
    } catch {
      throw new Error('dist/client/sizes.json is missing: run `npm run build` (npm test does) before this test');
    }
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    expect(
      sizes.firstPaintGzipBytes,
      `the first paint loads ${kib(sizes.firstPaintGzipBytes)} gzip, over ${kib(LIMIT_BYTES)}: import values from a schema's own file, not schemas/index.ts (which pulls classic zod in), and move what the first page does not show into a lazy chunk (see docs/performance.md)`,
    ).toBeLessThanOrEqual(LIMIT_BYTES);
    expect(sizes.totalGzipBytes).toBeGreaterThan(sizes.firstPaintGzipBytes);
  });
});
