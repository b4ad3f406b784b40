/**
 * Signed approval links: `{base_url}/a/{token}/approve|reject`.
 *
 * A token is `base64url(JSON claims) . base64url(HMAC-SHA256(secret, claims part))`.
 * The claims are tmuxagent's {host, pane, stage, expires} plus the approval `id` (so a
 * token names exactly one request: a stage asked again gets a new token) and the
 * `pipeline`. The signature is checked first and in constant time, so a forged token
 * never learns anything, not even whether it expired. One-time use is the caller's:
 * `tokenDigest` gives a stable key under which a store marks a token used.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface ApprovalClaims {
  readonly id: string;
  readonly host: string;
  readonly pane: string;
  readonly pipeline: string;
  readonly stage: string;
  /** Unix seconds. */
  readonly expires: number;
}

export type TokenCheck =
  | { readonly ok: true; readonly claims: ApprovalClaims }
  | { readonly ok: false; readonly reason: 'forged' | 'expired'; readonly claims?: ApprovalClaims };

/** Approval links live for 24 hours unless configured otherwise. */
export const DEFAULT_TOKEN_TTL_MS = 24 * 3600 * 1000;

function sign(secret: string | Uint8Array, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

export function signApprovalToken(secret: string | Uint8Array, claims: ApprovalClaims): string {
  if (secret.length === 0) throw new Error('approval token secret is empty; configure a secret before creating approval links');
  const payload = Buffer.from(
    JSON.stringify({
      id: claims.id,
      host: claims.host,
      pane: claims.pane,
      pipeline: claims.pipeline,
      stage: claims.stage,
      expires: claims.expires,
    }),
  ).toString('base64url');
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

function parseClaims(payload: string): ApprovalClaims | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (value === null || typeof value !== 'object') return null;
    const c = value as Record<string, unknown>;
    const strings = ['id', 'host', 'pane', 'pipeline', 'stage'] as const;
    if (!strings.every((key) => typeof c[key] === 'string') || typeof c.expires !== 'number' || !Number.isFinite(c.expires)) return null;
    return {
      id: c.id as string,
      host: c.host as string,
      pane: c.pane as string,
      pipeline: c.pipeline as string,
      stage: c.stage as string,
      expires: c.expires,
    };
  } catch {
    return null;
  }
}

/** Check a token: `forged` for anything not signed with `secret` (malformed included), `expired` after `expires`. */
export function verifyApprovalToken(secret: string | Uint8Array, token: string, nowMs: number = Date.now()): TokenCheck {
  if (typeof token !== 'string' || token.length > 4096) return { ok: false, reason: 'forged' };
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'forged' };
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = sign(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  const claims = parseClaims(payload);
  if (!claims) return { ok: false, reason: 'forged' };
  if (claims.expires * 1000 <= nowMs) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

/** A key for "this token was used" records that does not store the token itself. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
