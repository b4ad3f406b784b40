import { Router } from 'express';
import { EventsQuery } from '../../../schemas/index.ts';
import type { EventBus } from '../../events/index.ts';
import { parseOr400, sendError } from '../errors.ts';
import { EventStreamLimits, streamEvents } from '../event-streams.ts';

/**
 * `GET /api/events?since=&before=&limit=&type=&host=&pipeline=&from=&to=`: stored
 * history. After `since`, oldest first, `next` = the last id (where to go on from);
 * with `before`, newest first, `next` = the smallest id returned (the `before` of
 * the next older page), null when nothing was returned.
 */
export function eventRoutes(bus: EventBus): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const query = parseOr400(EventsQuery, req.query, 'query');
    const { before, ...filters } = query;
    const newestFirst = before !== undefined;
    const events = bus.history({
      ...filters,
      limit: query.limit ?? 100,
      // "latest": no upper bound; ids never reach MAX_SAFE_INTEGER.
      before: before === 'latest' ? Number.MAX_SAFE_INTEGER : before,
    });
    const last = events.at(-1)?.id;
    res.json({ events, next: newestFirst ? (last ?? null) : (last ?? query.since ?? 0) });
  });
  return router;
}

/**
 * `GET /events`: the same events as Server-Sent Events; `Last-Event-ID` catches up.
 * A reader too far behind is ended; EventSource reconnects with its Last-Event-ID.
 */
export function sseRoute(bus: EventBus, limits = new EventStreamLimits()): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const release = limits.acquire(req);
    if (!release) {
      res.set('retry-after', '10');
      sendError(res, 429, 'too_many_streams', limits.tooManyMessage());
      return;
    }
    res.on('close', release);
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const last = Number(req.headers['last-event-id'] ?? req.query.since);
    const sub = streamEvents(
      bus,
      Number.isFinite(last) && last > 0 ? last : 0,
      {
        writable: () => true,
        buffered: () => res.writableLength,
        send: (event) => res.write(`${event.id ? `id: ${event.id}\n` : ''}data: ${JSON.stringify(event)}\n\n`),
        // EventSource reconnects with its Last-Event-ID.
        drop: () => res.end(),
      },
      limits,
    );
    res.write(': connected\n\n');
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    req.on('close', () => {
      sub.dispose();
      clearInterval(ping);
    });
  });
  return router;
}
