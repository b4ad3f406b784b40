import type { JsonObject } from '../../../schemas/index.ts';
import type { SqlParam, SqlRow } from '../types.ts';

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

/** A JSON TEXT column holding any value; null when it is empty or not JSON. */
export function jsonValue(value: unknown): unknown {
  try {
    return JSON.parse(text(value));
  } catch {
    return null;
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

/** How one column is read (from what sql.js hands back) and, where it differs from the value, written. */
export interface ColumnKind {
  /** The column's name when it is not the field's name in snake_case (quotes kept for the SQL: `"offset"`). */
  readonly column?: string;
  readonly read: (value: unknown) => unknown;
  readonly write?: (value: never) => SqlParam;
}

/** A JSON object column: read with `jsonObject`, written with `toJson`. */
export const json = { read: jsonObject, write: toJson } satisfies ColumnKind;
/** A 0/1 column that is a boolean field. */
export const flag = { read: (value: unknown): boolean => int(value) !== 0, write: bool } satisfies ColumnKind;

/** Each field with how its column is read. */
export type ColumnSpec = Record<string, ColumnKind['read'] | ColumnKind>;
type ReadOf<K> = K extends (value: unknown) => infer T ? T : K extends { read: (value: unknown) => infer T } ? T : never;
/** The fields a spec reads, typed by their readers. */
export type ColumnFields<S extends ColumnSpec> = { [K in keyof S]: ReadOf<S[K]> };

const snakeCase = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A table's columns written once: each field of the row with how its column is read
 * (the column is the field in snake_case unless a kind names it). Gives the SELECT
 * list, the INSERT or UPSERT statement, the row's fields from a result row (for the
 * row schema to parse) and the values of a row in column order. Column names are
 * ours, never input.
 */
export class Columns<S extends ColumnSpec, R = ColumnFields<S>> {
  /** `a, b, c`: the SELECT and INSERT list. */
  readonly list: string;
  private readonly entries: ReadonlyArray<{ field: keyof S & string; column: string; key: string; kind: ColumnKind }>;
  private readonly statements = new Map<string, string>();

  /** With `schema`, `row()` parses what it reads into the stored row's shape. */
  constructor(
    private readonly spec: S,
    private readonly schema?: { parse(value: unknown): R },
  ) {
    this.entries = Object.entries(spec).map(([field, given]) => {
      const kind = typeof given === 'function' ? { read: given } : given;
      const column = kind.column ?? snakeCase(field);
      return { field, column, key: column.replace(/"/g, ''), kind };
    });
    this.list = this.entries.map((e) => e.column).join(', ');
  }

  /** The same without some fields: the columns an INSERT leaves to the database (an autoincrement `id`). */
  without<W extends keyof S & string>(...fields: W[]): Columns<Omit<S, W>> {
    const rest = Object.fromEntries(Object.entries(this.spec).filter(([field]) => !fields.includes(field as W)));
    return new Columns(rest as Omit<S, W>);
  }

  /** A result row as the stored row's shape (parsed by the schema when there is one). */
  readonly row = (sql: SqlRow): R => {
    const fields = this.read(sql);
    return this.schema ? this.schema.parse(fields) : (fields as R);
  };

  /** The row's fields as read from a result row. */
  read(row: SqlRow): ColumnFields<S> {
    const out: Record<string, unknown> = {};
    for (const { field, key, kind } of this.entries) out[field] = kind.read(row[key]);
    return out as ColumnFields<S>;
  }

  /** The row's values in column order, for `insert()`'s statement. */
  values(row: { readonly [K in keyof S]: unknown }): SqlParam[] {
    return this.entries.map(({ field, kind }) => (kind.write ? kind.write(row[field] as never) : (row[field] as SqlParam)));
  }

  /** `INSERT INTO table (…) VALUES (?, …)`; with `upsertOn` (the key's columns), a conflict updates the other columns. */
  insert(table: string, upsertOn?: readonly string[]): string {
    const id = `${table}\0${upsertOn?.join(',') ?? ''}`;
    let statement = this.statements.get(id);
    if (statement === undefined) this.statements.set(id, (statement = this.buildInsert(table, upsertOn)));
    return statement;
  }

  private buildInsert(table: string, upsertOn?: readonly string[]): string {
    const sql = `INSERT INTO ${table} (${this.list}) VALUES (${this.entries.map(() => '?').join(', ')})`;
    if (!upsertOn) return sql;
    const updates = this.entries.filter((e) => !upsertOn.includes(e.column)).map(({ column }) => `${column} = excluded.${column}`);
    return `${sql}\n  ON CONFLICT(${upsertOn.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
  }
}

/**
 * Newest first with `beforeId` paging over an `id` column: the WHERE of the filters
 * that are set, `id < beforeId`, `ORDER BY id DESC LIMIT ?` (limit clamped).
 */
export function newestFirst(
  filters: ReadonlyArray<readonly [column: string, value: SqlParam | undefined]>,
  page: { readonly beforeId?: number; readonly limit?: number },
  limits: { readonly fallback: number; readonly max: number } = { fallback: 100, max: 10_000 },
): { clause: string; params: SqlParam[] } {
  const w = where(filters);
  const conditions = w.clause ? [w.clause.slice('WHERE '.length)] : [];
  const params = [...w.params];
  if (page.beforeId !== undefined) {
    conditions.push('id < ?');
    params.push(page.beforeId);
  }
  params.push(clampLimit(page.limit, limits.fallback, limits.max));
  return { clause: `${conditions.length ? `WHERE ${conditions.join(' AND ')} ` : ''}ORDER BY id DESC LIMIT ?`, params };
}
