/**
 * The HTTP domain's front door: the app and its auth, the WebSockets, the
 * routes the bridge mounts, and the helpers other domains' routes use to
 * parse input and answer errors.
 */
export { createApp, type AppParts } from './app.ts';
export { AuthGuard, type AuthOptions } from './auth.ts';
export { mountAt } from './base-path.ts';
export { parseOr400, sendError } from './errors.ts';
export { issueDetail } from '../../schemas/issue-detail-view.ts';
export { EventStreamLimits, type EventStreamOptions } from './event-streams.ts';
export { Traffic } from './traffic.ts';
export { WebSockets } from './websockets.ts';
export { auditRoutes } from './routes/audit.ts';
export { eventRoutes, sseRoute } from './routes/events.ts';
export { sessionRoutes } from './routes/sessions.ts';
