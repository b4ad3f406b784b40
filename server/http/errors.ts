import type { ErrorRequestHandler, Response } from 'express';
import { z } from 'zod';
import { ApiError, errorDetail } from '../../base/errors.ts';
import { issueDetail } from '../../schemas/issue-detail-view.ts';

export function sendError(res: Response, status: number, code: string, message: string, details?: unknown[], params?: Readonly<Record<string, string>>): void {
  if (res.headersSent) return;
  res.status(status).json({ error: { code, message, ...(details ? { details } : {}), ...(params ? { params } : {}) } });
}

/** Parses `value` with `schema` (classic zod or zod/mini) or fails with 400 and the zod issues. */
export function parseOr400<S extends z.core.$ZodType>(schema: S, value: unknown, what = 'body'): z.output<S> {
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  throw new ApiError(
    400,
    'invalid_' + what,
    `invalid ${what}: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    result.error.issues.map(issueDetail),
  );
}

/**
 * The last middleware: every error becomes a JSON body; bad input is never a
 * 500 and no stack trace ever leaves the server.
 */
export function errorHandler(log: (message: string) => void): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof ApiError) {
      sendError(res, error.status, error.code, error.message, error.details, error.params);
      return;
    }
    const e = error as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') {
      sendError(res, 400, 'invalid_json', 'the request body is not valid JSON');
      return;
    }
    if (e?.type === 'entity.too.large') {
      sendError(res, 413, 'too_large', 'the request body is too large');
      return;
    }
    if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
      sendError(res, 415, 'unsupported_encoding', e.message ?? 'unsupported body encoding');
      return;
    }
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      sendError(res, e.status, 'bad_request', e.message ?? 'bad request');
      return;
    }
    log(`internal error on ${req.method} ${req.path}: ${errorDetail(error)}`);
    sendError(res, 500, 'internal', 'internal error; the server log has the details');
  };
}
