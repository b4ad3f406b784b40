#!/usr/bin/env node
// Runs examples/flows/answer-then-echo.flow.json on a running tmux-bridge through
// its HTTP API (no dependencies: Node's fetch):
//   1. opens (or reuses) a bash session named "flow-demo", the session node B types into;
//   2. imports the flow (or updates the one it imported before) with that session as
//      B's target and --tool as A's tool;
//   3. executes it and prints each node's state until the run ends.
// Usage: node examples/flows/run-example.mjs [--tool fake-answer|claude|codex|…]
//        [--question "What is 7 times 8?"] [--session flow-demo] [--timeout 300]
// The server is TMUX_BRIDGE_URL (default http://127.0.0.1:7690), the token
// TMUX_BRIDGE_TOKEN or the file <TMUX_BRIDGE_DATA or ./data>/token.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    tool: { type: 'string', default: 'fake-answer' },
    question: { type: 'string' },
    session: { type: 'string', default: 'flow-demo' },
    timeout: { type: 'string', default: '300' },
    url: { type: 'string', default: process.env.TMUX_BRIDGE_URL || `http://127.0.0.1:${process.env.TMUX_BRIDGE_PORT || 7690}` },
  },
});
const base = opts.url.replace(/\/+$/, '');
const token = process.env.TMUX_BRIDGE_TOKEN || readToken(join(process.env.TMUX_BRIDGE_DATA || 'data', 'token'));

function fail(message) {
  console.error(`run-example: ${message}`);
  process.exit(1);
}

function readToken(file) {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return fail(`no token in ${file}: run this from the checkout the server runs in, or set TMUX_BRIDGE_TOKEN (or TMUX_BRIDGE_DATA)`);
  }
}

async function api(method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).catch(() => fail(`no tmux-bridge answers at ${base}: start it (npm start) or set TMUX_BRIDGE_URL`));
  const json = await response.json().catch(() => ({}));
  if (!response.ok) fail(`${method} ${path}: ${response.status} ${json.error?.message ?? JSON.stringify(json)}`);
  return json;
}

async function demoSession(name) {
  const { sessions } = await api('GET', '/api/cli-sessions');
  const found = sessions.find((s) => s.name === name && s.status === 'running');
  if (found) return found;
  return api('POST', '/api/cli-sessions', { name, tool: 'bash' });
}

const session = await demoSession(opts.session);
console.log(`session "${session.name}" (${session.sessionKey}): ${session.attachCommand}`);

const flow = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'answer-then-echo.flow.json'), 'utf8'));
for (const node of flow.nodes) {
  if (node.data.delivery === 'sendToSession') node.data.targetSessionKey = session.sessionKey;
  if (node.id === 'A') node.data.tool = opts.tool;
}
// Run again, run the same flow: one imported before under this name is updated instead of imported twice.
const { flows } = await api('GET', '/api/orchestrator/flows');
const earlier = flows.find((f) => f.name === flow.name);
const imported = earlier ? await api('PUT', `/api/orchestrator/flows/${earlier.id}`, flow) : await api('POST', '/api/orchestrator/flows/import', flow);
console.log(`flow ${imported.id}: ${base}/flows/${imported.id}`);

const { runId } = await api('POST', `/api/orchestrator/flows/${imported.id}/execute`, opts.question ? { variables: { question: opts.question } } : {});
console.log(`run ${runId}: ${base}/flows/runs/${runId}`);

const ENDED = new Set(['completed', 'failed', 'stopped']);
const deadline = Date.now() + Number(opts.timeout) * 1000;
const seen = new Map();
let run;
for (;;) {
  run = await api('GET', `/api/orchestrator/runs/${runId}`);
  for (const [id, node] of Object.entries(run.nodes)) {
    if (seen.get(id) === node.status) continue;
    seen.set(id, node.status);
    const ended = node.status === 'completed' || node.status === 'failed';
    console.log(`  ${id} ${node.status}${ended && node.output ? `: ${node.output.trim().split('\n').join('\n      ')}` : ''}${node.error ? ` (${node.error})` : ''}`);
  }
  if (ENDED.has(run.status) || run.status === 'paused') break;
  if (Date.now() > deadline) {
    console.log(`still ${run.status} after ${opts.timeout} s; follow it at ${base}/flows/runs/${runId}`);
    process.exit(2);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
console.log(`run ${run.status}${run.reason ? `: ${run.reason}` : ''}`);
process.exit(run.status === 'completed' ? 0 : 1);
