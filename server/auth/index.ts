/** The auth domain's front door: the shell token (made once, kept in the data directory) and its constant-time check. */
export { loadOrCreateToken, tokenMatches } from './token.ts';
