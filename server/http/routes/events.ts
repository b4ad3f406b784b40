import { Router } from 'express';
import { EventsQuery } from '../../../schemas/index.ts';
import type { EventBus } from '../../events/event-bus.ts';
import { parseOr400 } from '../errors.ts';

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

/** `GET /events`: the same events as Server-Sent Events; `Last-Event-ID` catches up. */
export function sseRoute(bus: EventBus): Router {
  const router = Router();
  router.get('/', (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const last = Number(req.headers['last-event-id'] ?? req.query.since);
    const write = (event: { id?: number }) => res.write(`${event.id ? `id: ${event.id}\n` : ''}data: ${JSON.stringify(event)}\n\n`);
    if (Number.isFinite(last) && last > 0) {
      for (const event of bus.history({ since: last, limit: 1000 })) write(event);
    }
    res.write(': connected\n\n');
    const sub = bus.onEvent(write);
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    req.on('close', () => {
      sub.dispose();
      clearInterval(ping);
    });
  });
  return router;
}
