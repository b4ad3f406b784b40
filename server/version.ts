import { readFileSync } from 'node:fs';

/** The version in package.json: one place to change at a release. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
