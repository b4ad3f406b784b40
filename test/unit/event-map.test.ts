import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_PAYLOADS, EventType, parseBridgeEvent, type BridgeEvent, type EventPayload } from '../../schemas/index.ts';
import { EventBus } from '../../server/events/event-bus.ts';
import { MemoryEventSink } from '../helpers/memory-event-sink.ts';
import { SAMPLE_PAYLOADS, sampleNotification } from '../helpers/events.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TYPES = EventType.options;

/** Every `.publish('TYPE'` in the server's sources: the types something really sends. */
function publishedTypes(): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/\.publish\(\s*'([A-Z_]+)'/g)) found.add(match[1]!);
      }
    }
  };
  walk(join(ROOT, 'server'));
  return found;
}

describe('the event map', () => {
  it('has a payload schema for every event type and a type for every schema', () => {
    expect(Object.keys(EVENT_PAYLOADS)).toEqual(TYPES);
    expect(Object.keys(SAMPLE_PAYLOADS).sort()).toEqual([...TYPES].sort());
  });

  it('covers every type the server publishes, and each type is published somewhere', () => {
    const published = publishedTypes();
    expect([...published].filter((type) => !(TYPES as readonly string[]).includes(type))).toEqual([]);
    expect(TYPES.filter((type) => !published.has(type))).toEqual([]);
  });

  it.each(TYPES)('%s: a payload round-trips through its schema and the wire unchanged', (type) => {
    const payload = SAMPLE_PAYLOADS[type];
    // Nothing dropped or changed: the schema knows every field the payload has.
    expect(EVENT_PAYLOADS[type].parse(payload)).toEqual(payload);
    const event = { ...payload, type, at: '2025-01-02T03:04:05.000Z', id: 7 };
    const parsed = parseBridgeEvent(JSON.parse(JSON.stringify(event)));
    expect(parsed.success).toBe(true);
    expect(parsed.success && parsed.data).toEqual(event);
  });

  it('refuses a payload that does not fit its type, and an unknown type', () => {
    const at = '2025-01-02T03:04:05.000Z';
    expect(parseBridgeEvent({ type: 'NOTIFICATION', at, notification: {} }).success).toBe(false);
    expect(parseBridgeEvent({ type: 'CLI_SESSION_CLOSED', at, sessionKey: 's1', exitCode: 'zero' }).success).toBe(false);
    expect(parseBridgeEvent({ type: 'QUEUE_UPDATED', at, queue: null }).success).toBe(false);
    expect(parseBridgeEvent({ type: 'NO_SUCH_EVENT', at }).success).toBe(false);
    expect(parseBridgeEvent({ ...SAMPLE_PAYLOADS.TMUX_STATUS, type: 'TMUX_STATUS' }).success).toBe(false);
  });

  it('the bus sends the payload with type, at and id added, in that order', async () => {
    const bus = new EventBus(new MemoryEventSink());
    const seen: BridgeEvent[] = [];
    bus.onEvent((event) => seen.push(event));
    const payload: EventPayload<'NOTIFICATION'> = { notification: sampleNotification({ title: 'wire' }) };
    const stored = await bus.publish('NOTIFICATION', payload);
    const live = await bus.publish('PANE_TAIL', SAMPLE_PAYLOADS.PANE_TAIL, { ephemeral: true });
    expect(Object.keys(stored)).toEqual(['notification', 'type', 'at', 'id']);
    expect(stored).toMatchObject({ ...payload, type: 'NOTIFICATION', id: 1 });
    // The bus's `at` wins over a payload's own.
    expect(Object.keys(live)).toEqual([...Object.keys(SAMPLE_PAYLOADS.PANE_TAIL), 'type']);
    expect(live.at).not.toBe(SAMPLE_PAYLOADS.PANE_TAIL.at);
    expect(seen).toEqual([stored, live]);
    for (const event of seen) expect(parseBridgeEvent(event).success).toBe(true);
    bus.dispose();
  });
});

/**
 * Compile-time checks (`npm run typecheck` fails when a wrong payload compiles); never called.
 * Each `@ts-expect-error` must meet an error, or the typecheck fails too.
 */
export function eventMapTypeChecks(bus: EventBus, event: BridgeEvent): void {
  // @ts-expect-error the payload of another type
  void bus.publish('NOTIFICATION', SAMPLE_PAYLOADS.QUEUE_UPDATED);
  // @ts-expect-error a required field left out
  void bus.publish('CLI_SESSION_CLOSED', { sessionKey: 's1' });
  // @ts-expect-error a field the type does not have
  void bus.publish('CLI_SESSION_CLOSED', { sessionKey: 's1', exitCode: 0, signal: 'TERM' });
  // @ts-expect-error a value outside the field's type
  void bus.publish('HOST_STATUS', { host: 'h1', connection: { ...SAMPLE_PAYLOADS.HOST_STATUS.connection, state: 'asleep' } });
  // @ts-expect-error a type the map does not have
  void bus.publish('NO_SUCH_EVENT', {});
  // @ts-expect-error a deleted queue names its id
  void bus.publish('QUEUE_UPDATED', { queue: null, deleted: true });
  // @ts-expect-error the fields of one type are not on every event
  void event.lines;
  if (event.type === 'PANE_TAIL') {
    const lines: string[] = event.lines;
    void lines;
  }
}
