import { describe, expect, it } from 'vitest';
import { FlowInput, fillTemplate, flowProblems, templateNames, topologicalOrder, type FlowInputRaw } from '../../schemas/index.ts';

const flow = (raw: Partial<FlowInputRaw>): FlowInput => FlowInput.parse({ name: 'f', nodes: [], ...raw });
const node = (id: string, instruction: string, extra: Record<string, unknown> = {}) => ({ id, data: { instruction, ...extra } });

describe('flow graph rules', () => {
  it('finds {{names}} and fills them, leaving unknown ones as written', () => {
    expect(templateNames('a {{x}} b {{ y }} {{x}} {{1bad}}')).toEqual(['x', 'y']);
    expect(fillTemplate('echo {{ A_out }} {{missing}}', { A_out: 'X=42' })).toBe('echo X=42 {{missing}}');
  });

  it('accepts a DAG whose names are variables or upstream outputs', () => {
    const f = flow({
      variables: { topic: 'tmux' },
      nodes: [node('A', 'about {{topic}}', { outputName: 'A_out' }), node('B', 'echo {{A_out}}'), node('C', 'echo {{A_out}} {{topic}}')],
      edges: [
        { source: 'A', target: 'B' },
        { source: 'B', target: 'C' },
      ],
    });
    expect(flowProblems(f)).toEqual([]);
    expect(topologicalOrder(f.nodes, f.edges)).toEqual(['A', 'B', 'C']);
  });

  it('names the node on a cycle', () => {
    const f = flow({
      nodes: [node('A', 'a'), node('B', 'b'), node('C', 'c')],
      edges: [
        { source: 'A', target: 'B' },
        { source: 'B', target: 'C' },
        { source: 'C', target: 'B' },
      ],
    });
    const problems = flowProblems(f);
    expect(problems.map((p) => p.nodeId).sort()).toEqual(['B', 'C']);
    expect(problems[0]!.message).toMatch(/on a cycle/);
  });

  it('names a sendToSession node without a target', () => {
    const problems = flowProblems(flow({ nodes: [node('S', 'ls', { delivery: 'sendToSession' })] }));
    expect(problems).toEqual([expect.objectContaining({ nodeId: 'S', path: ['nodes', 0, 'data', 'targetSessionKey'] })]);
  });

  it('names a node using a {{name}} that is no variable and no upstream output, with a hint when a node has it', () => {
    const f = flow({ nodes: [node('A', 'x', { outputName: 'A_out' }), node('B', 'echo {{A_out}} {{nope}}')] });
    const problems = flowProblems(f);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/node "B": \{\{A_out\}\} .*add an edge from "A" to "B"/),
      expect.stringMatching(/node "B": \{\{nope\}\} is neither a variable nor an upstream node's outputName/),
    ]);
  });

  it('reports duplicate ids, unknown edge ends and a shared outputName', () => {
    const f = flow({
      nodes: [node('A', 'a', { outputName: 'o' }), node('A', 'b'), node('B', 'c', { outputName: 'o' })],
      edges: [{ source: 'A', target: 'Z' }],
    });
    const messages = flowProblems(f).map((p) => p.message);
    expect(messages).toContainEqual(expect.stringMatching(/"A": the id is used twice/));
    expect(messages).toContainEqual(expect.stringMatching(/no node "Z"/));
    expect(messages).toContainEqual(expect.stringMatching(/outputName "o" is already node "A"'s/));
  });
});
