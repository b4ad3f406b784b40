import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Notifier, createChannels, type NotificationRecorder } from '../../server/agent/notify/index.ts';
import type { NotificationRecord } from '../../schemas/agent.ts';

interface Received {
  path: string;
  contentType: string;
  body: unknown;
}

/** A real HTTP server; `plan` decides the answer per path and attempt. */
let server: Server;
let base: string;
let received: Received[] = [];
let plan: (path: string, count: number) => { status: number; body?: unknown; hang?: boolean } = () => ({ status: 200, body: {} });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const text = await readBody(req);
    const path = req.url ?? '';
    received.push({ path, contentType: String(req.headers['content-type']), body: JSON.parse(text) });
    const answer = plan(path, received.filter((r) => r.path === path).length);
    if (answer.hang) return; // never answers: the client's timeout must end the try
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
  plan = () => ({ status: 200, body: {} });
});

class Recorder implements NotificationRecorder {
  readonly records: NotificationRecord[] = [];
  record(record: NotificationRecord): void {
    this.records.push(record);
  }
}

const noSleep = async () => {};
const sample = {
  title: 'Escalation TEST_RED: ci/test',
  body: 'Stage "test" failed',
  kind: 'escalate' as const,
  host: 'local',
  paneId: '%3',
  pipeline: 'ci',
  stage: 'test',
  links: { approve: 'http://bridge/a/t/approve', reject: 'http://bridge/a/t/reject' },
};

describe('notification channels over real HTTP', () => {
  it('sends to serverchan, wecom and a webhook at once, with the expected payloads', async () => {
    const printed: string[] = [];
    const { channels, warnings } = createChannels(['stdout', 'serverchan', 'wecom', 'webhook'], {
      env: {
        SENTRY_SERVERCHAN_KEY: 'SCT123KEY',
        SERVERCHAN_BASE_URL: `${base}/sc`,
        WECOM_WEBHOOK: `${base}/wecom?key=abc`,
        TMUX_BRIDGE_WEBHOOK_URL: `${base}/hook`,
      },
      write: (text) => printed.push(text),
    });
    expect(warnings).toEqual([]);
    const recorder = new Recorder();
    const notifier = new Notifier({ channels, recorder, sleep: noSleep });
    const results = await notifier.notify(sample);
    notifier.dispose();

    expect(results.map((r) => [r.channel, r.status, r.attempts])).toEqual([
      ['stdout', 'sent', 1],
      ['serverchan', 'sent', 1],
      ['wecom', 'sent', 1],
      ['webhook', 'sent', 1],
    ]);
    expect(printed[0]).toMatch(/^\[NOTIFY\] Escalation TEST_RED: ci\/test\nStage "test" failed\napprove: http:\/\/bridge/);

    const byPath = Object.fromEntries(received.map((r) => [r.path.split('?')[0], r]));
    expect(byPath['/sc/SCT123KEY.send']?.body).toEqual({
      title: sample.title,
      desp: 'Stage "test" failed\n[approve](http://bridge/a/t/approve) | [reject](http://bridge/a/t/reject)',
    });
    expect(byPath['/wecom']?.body).toEqual({
      msgtype: 'markdown',
      markdown: { content: `**${sample.title}**\n\nStage "test" failed\n[approve](http://bridge/a/t/approve) | [reject](http://bridge/a/t/reject)` },
    });
    const hook = byPath['/hook']!;
    expect(hook.contentType).toMatch(/^application\/json/);
    expect(hook.body).toEqual({
      title: sample.title,
      body: sample.body,
      kind: 'escalate',
      host: 'local',
      pane: '%3',
      pipeline: 'ci',
      stage: 'test',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      links: sample.links,
    });
    const webhookRecord = recorder.records.find((r) => r.channel === 'webhook');
    expect(webhookRecord).toMatchObject({ status: 'sent', httpStatus: 200, payload: { pipeline: 'ci', links: sample.links } });
  });

  it('retries a failing endpoint with backoff until it succeeds on the 3rd attempt, recording each attempt', async () => {
    plan = (_path, count) => (count < 3 ? { status: 503, body: { error: 'busy' } } : { status: 200, body: {} });
    const delays: number[] = [];
    const recorder = new Recorder();
    const { channels } = createChannels(['webhook'], { env: { TMUX_BRIDGE_WEBHOOK_URL: `${base}/flaky` } });
    const notifier = new Notifier({
      channels,
      recorder,
      attempts: 5,
      baseDelayMs: 100,
      sleep: async (ms) => void delays.push(ms),
    });
    const [result] = await notifier.notify(sample);
    notifier.dispose();
    expect(result).toMatchObject({ status: 'sent', attempts: 3, httpStatus: 200, lastError: null });
    expect(received.filter((r) => r.path === '/flaky')).toHaveLength(3);
    expect(delays).toEqual([100, 200]);
    expect(recorder.records.map((r) => [r.attempts, r.status, r.httpStatus])).toEqual([
      [1, 'pending', 503],
      [2, 'pending', 503],
      [3, 'sent', 200],
    ]);
    expect(recorder.records[0]?.lastError).toMatch(/HTTP 503/);
    expect(new Set(recorder.records.map((r) => r.deliveryId)).size).toBe(1);
  });

  it('gives up after the attempt limit, never throws, and the other channels still deliver', async () => {
    plan = (path) => (path === '/down' ? { status: 500 } : { status: 200 });
    const { channels } = createChannels(['webhook'], { bridge: { webhookUrls: [`${base}/down`, `${base}/up`], serverchanBaseUrl: null, wecomWebhook: null }, env: {} });
    const recorder = new Recorder();
    const notifier = new Notifier({ channels, recorder, attempts: 3, sleep: noSleep });
    const results = await notifier.notify(sample);
    notifier.dispose();
    expect(results.map((r) => [r.channel, r.status, r.attempts])).toEqual([
      ['webhook[0]', 'failed', 3],
      ['webhook[1]', 'sent', 1],
    ]);
  });

  it('does not retry what cannot succeed: 4xx answers and service error codes', async () => {
    plan = (path) => (path === '/bad' ? { status: 400 } : { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } });
    const { channels } = createChannels(['webhook', 'wecom'], { env: { TMUX_BRIDGE_WEBHOOK_URL: `${base}/bad`, WECOM_WEBHOOK: `${base}/wx` } });
    const notifier = new Notifier({ channels, attempts: 4, sleep: noSleep });
    const results = await notifier.notify(sample);
    notifier.dispose();
    expect(results.map((r) => [r.channel, r.status, r.attempts])).toEqual([
      ['webhook', 'failed', 1],
      ['wecom', 'failed', 1],
    ]);
    expect(results[1]?.lastError).toMatch(/errcode 93000/);
  });

  it('ends a try that hangs with its timeout, and reports a refused connection', async () => {
    plan = () => ({ status: 200, hang: true });
    // A port nobody listens on: open a server, note its port, close it.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { channels } = createChannels(['webhook'], { env: { TMUX_BRIDGE_WEBHOOK_URL: `${base}/slow,http://127.0.0.1:${closedPort}/closed` } });
    const notifier = new Notifier({ channels, attempts: 2, timeoutMs: 200, sleep: noSleep });
    const results = await notifier.notify(sample);
    notifier.dispose();
    expect(results[0]).toMatchObject({ status: 'failed', attempts: 2 });
    expect(results[0]?.lastError).toMatch(/timed out/);
    expect(results[1]).toMatchObject({ status: 'failed', attempts: 2 });
    expect(results[1]?.lastError).toMatch(/ECONNREFUSED/);
  });

  it('skips channels without their secret, saying which variable to set; a broken recorder is survived', async () => {
    const { channels, warnings } = createChannels(['serverchan', 'wecom', 'webhook'], { env: {} });
    expect(channels).toEqual([]);
    expect(warnings.join('\n')).toMatch(/SENTRY_SERVERCHAN_KEY[\s\S]*WECOM_WEBHOOK[\s\S]*TMUX_BRIDGE_WEBHOOK_URL/);

    const { channels: hook } = createChannels(['webhook'], { env: { TMUX_BRIDGE_WEBHOOK_URL: `${base}/ok` } });
    const errors: unknown[] = [];
    const notifier = new Notifier({ channels: hook, recorder: { record: () => Promise.reject(new Error('disk full')) }, sleep: noSleep });
    notifier.onRecorderError((error) => errors.push(error));
    const [result] = await notifier.notify(sample);
    notifier.dispose();
    expect(result?.status).toBe('sent');
    expect(errors).toHaveLength(1);
  });
});
