import type { JsonObject } from '../../../schemas/index.ts';
import type { SqlParam } from '../types.ts';

/** Column readers: sql.js hands back numbers, strings, null (and blobs we never store). */
export function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

export function nullableText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function int(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

export function nullableInt(value: unknown): number | null {
  return value === null || value === undefined ? null : int(value);
}

/** A JSON TEXT column; a value that is not an object is wrapped so nothing is lost. */
export function jsonObject(value: unknown): JsonObject | null {
  if (value === null || value === undefined || value === '') return null;
  try {
    const parsed: unknown = JSON.parse(String(value));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as JsonObject;
    return { value: parsed };
  } catch {
    return { raw: String(value) };
  }
}

export function toJson(value: JsonObject | null | undefined): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function bool(value: boolean): SqlParam {
  return value ? 1 : 0;
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** `WHERE a = ? AND b = ?` from the filters that are set; column names are ours, never input. */
export function where(filters: ReadonlyArray<readonly [column: string, value: SqlParam | undefined]>): {
  clause: string;
  params: SqlParam[];
} {
  const used = filters.filter(([, value]) => value !== undefined) as Array<readonly [string, SqlParam]>;
  return {
    clause: used.length ? `WHERE ${used.map(([column]) => `${column} = ?`).join(' AND ')}` : '',
    params: used.map(([, value]) => value),
  };
}

export function clampLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.max(1, Math.min(max, Math.trunc(limit)));
}
