/**
 * A 400's details reach a Chinese user in Chinese: the schemas' refinements name
 * their rule, and the details the server builds itself (a queue's shape, the
 * board's order) carry a code and parameters the catalog words. English keeps
 * the server's words.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { issueMessage, issueText, setLocale } from '../../client/i18n/index.ts';
import { parseOr400 } from '../../server/http/errors.ts';
import { ApiError } from '../../base/errors.ts';
import { CreateIssueBody, CreateSessionBody, ExecuteRequest, RouteToSessionBody, type ExecutionGroup, type QueueItem } from '../../schemas/index.ts';
import { QueueShapeError, validateQueueShape } from '../../server/workbench/queues/index.ts';
import { place } from '../../server/workbench/issues/ordering.ts';

/** Words of three or more Latin letters: English left in a Chinese text (ids excepted by the caller). */
const english = (text: string, allowed: readonly string[] = []) => (text.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !allowed.includes(w));

type Detail = Record<string, unknown> & { path: unknown[]; code: string; message: string };

function details(run: () => unknown): Detail[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError || error instanceof QueueShapeError) return error.details as Detail[];
    throw error;
  }
  throw new Error('no error');
}

afterEach(() => setLocale('en', false));

describe('refinements of the request schemas', () => {
  const samples = () => [
    ...details(() => parseOr400(CreateIssueBody, { title: 'T', labels: ['ok', 'a,b'], body: 'é'.repeat(600_000) })),
    ...details(() => parseOr400(ExecuteRequest, { prompt: 'p', resumeKey: 'k\u0001', model: 'gpt 5' })),
    ...details(() => parseOr400(CreateSessionBody, { workingDir: '/tmp\n/x' })),
    ...details(() => parseOr400(RouteToSessionBody, { sessionKey: 's' })),
  ];

  it('each names its rule; English shows the schema\'s words', () => {
    const found = samples();
    expect(found.map((d) => (d.params as { rule?: string } | undefined)?.rule)).toEqual(['issue_body_size', 'label_no_commas', 'model_name', 'no_control_chars', 'one_line', 'text_or_run_node']);
    for (const d of found) expect(issueMessage(d)).toBe(d.message);
    expect(issueText(found[1]!)).toBe('labels.1: a label has no commas');
  });

  it('Chinese words each rule, the field names and units aside', async () => {
    await setLocale('zh-CN', false);
    const texts = samples().map((d) => issueText(d));
    for (const text of texts) expect(english(text, ['body', 'labels', 'resumeKey', 'model', 'workingDir', 'text', 'runId', 'nodeId', 'MiB', 'NUL']), text).toEqual([]);
    // A negated character class used to reach the page as its raw pattern.
    expect(texts[1]).toBe('labels.1：标签中不能有逗号');
    expect(texts[3]).toBe('resumeKey：不能包含控制字符');
  });
});

describe('a queue\'s shape', () => {
  const item = (item_id: string, execution_group: string, depends_on: string[]) => ({ item_id, execution_group, execution_order: 0, depends_on }) as unknown as QueueItem;
  const groups: ExecutionGroup[] = [
    { id: 'P1', type: 'parallel' },
    { id: 'P2', type: 'parallel' },
    { id: 'P2', type: 'sequential' },
  ];
  const broken = () =>
    details(() => validateQueueShape([item('a', 'P1', ['zz', 'a', 'b']), item('b', 'P2', []), item('b', 'P2', []), item('c', 'Q9', [])], groups));
  const cycle = () => details(() => validateQueueShape([item('a', 'P1', ['b']), item('b', 'P1', ['a'])], [{ id: 'P1', type: 'parallel' }]));

  it('every problem has a code and its parameters; English shows the server\'s words', () => {
    const found = [...broken(), ...cycle()];
    expect(found.map((d) => d.code).sort()).toEqual(
      ['queue_cycle', 'queue_group_twice', 'queue_item_twice', 'queue_later_group', 'queue_self_dependency', 'queue_unknown_dependency', 'queue_unknown_group'].sort(),
    );
    for (const d of found) {
      expect(d.params, d.code).toBeTypeOf('object');
      expect(issueMessage(d)).toBe(d.message);
    }
  });

  it('in Chinese, only the ids are left as written', async () => {
    await setLocale('zh-CN', false);
    const texts = [...broken(), ...cycle()].map((d) => issueMessage(d));
    for (const text of texts) expect(english(text), text).toEqual([]);
    expect(texts).toContain('项目 a（分组 P1）依赖后面分组 P2 中的 b；分组按顺序运行，请移动其中一个');
    expect(texts).toContain('依赖形成了环：a → b → a');
    expect(texts).toContain('项目 c：没有执行分组“Q9”');
  });
});

describe('the board\'s order', () => {
  const column = [
    { id: 'ISS-1', sortOrder: 1024 },
    { id: 'ISS-2', sortOrder: 2048 },
    { id: 'ISS-3', sortOrder: 3072 },
  ];

  it('a placement that cannot be made says which rule, with the issues it names', async () => {
    const missing = place(column, 'ISS-9');
    const apart = place(column, 'ISS-3', 'ISS-1');
    expect(missing).toMatchObject({ ok: false, field: 'beforeId', code: 'board_not_in_column', params: { issue: 'ISS-9' } });
    expect(apart).toMatchObject({ ok: false, field: 'afterId', code: 'board_not_neighbours', params: { issue: 'ISS-1', next: 'ISS-3' } });
    const asDetail = (p: typeof apart) => (p.ok || 'renumber' in p ? undefined : { path: [p.field], code: p.code, message: p.message, params: p.params });
    expect(issueText(asDetail(apart)!)).toBe('afterId: issue ISS-1 is not right above ISS-3 in the target column');
    await setLocale('zh-CN', false);
    expect(issueText(asDetail(apart)!)).toBe('afterId：在目标列中，议题 ISS-1 不在 ISS-3 的正上方');
    expect(issueText(asDetail(missing)!)).toBe('beforeId：议题 ISS-9 不在目标列中');
  });
});
