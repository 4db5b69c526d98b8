// The run loops stay readable: no function in src/parallel, src/gpu or src/cli is longer than 80 lines
// (lines inside template strings of generated code not counted), and no function whose variables are
// captured by closures inside it shares more than 8 mutable ones with them. Parsed with Vite's own TypeScript parser.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAst } from 'vite';
import { describe, expect, it } from 'vitest';

const FOLDERS = ['src/parallel', 'src/gpu', 'src/cli'];
const MAX_LINES = 80;
const MAX_SHARED_MUTABLES = 8;

type Node = { type: string; start: number; end: number; [key: string]: unknown };

const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && typeof (x as Node).type === 'string';
const isFunction = (n: Node) => ['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'].includes(n.type);

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) out.push(...value.filter(isNode));
    else if (isNode(value)) out.push(value);
  }
  return out;
}

/** `let` declarations in a function's own scope (not in the functions nested inside it). */
function ownLets(fn: Node): string[] {
  const names: string[] = [];
  const visit = (n: Node) => {
    if (n !== fn && isFunction(n)) return;
    if (n.type === 'VariableDeclaration' && n.kind === 'let') {
      for (const d of n.declarations as Node[]) if ((d.id as Node).type === 'Identifier') names.push((d.id as { name: string }).name);
    }
    children(n).forEach(visit);
  };
  visit(fn);
  return names;
}

/** Names used inside the functions nested in `fn`. */
function namesInClosures(fn: Node): Set<string> {
  const names = new Set<string>();
  const collect = (n: Node) => {
    if (n.type === 'Identifier') names.add((n as unknown as { name: string }).name);
    children(n).forEach(collect);
  };
  const findNested = (n: Node) => {
    if (n !== fn && isFunction(n)) collect(n);
    else children(n).forEach(findNested);
  };
  findNested(fn);
  return names;
}

interface Shape { where: string; lines: number; sharedMutables: string[] }

function shapes(file: string): Shape[] {
  const source = readFileSync(file, 'utf8');
  const lineAt = (offset: number) => source.slice(0, offset).split('\n').length;
  const ast = parseAst(source, { lang: file.endsWith('x') ? 'tsx' : 'ts' }) as unknown as Node;
  const templateLines = (n: Node): number => (n.type === 'TemplateLiteral'
    ? lineAt(n.end) - lineAt(n.start)
    : children(n).reduce((s, c) => s + templateLines(c), 0));
  const out: Shape[] = [];
  const visit = (n: Node) => {
    if (isFunction(n)) {
      const closures = namesInClosures(n);
      const lines = lineAt(n.end) - lineAt(n.start) + 1 - templateLines(n);
      out.push({ where: `${file}:${lineAt(n.start)}`, lines, sharedMutables: ownLets(n).filter((name) => closures.has(name)) });
    }
    children(n).forEach(visit);
  };
  visit(ast);
  return out;
}

const files = FOLDERS.flatMap((dir) => readdirSync(dir).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts')).map((f) => join(dir, f)));

describe('code shape of the run loops', () => {
  const all = files.flatMap(shapes);

  it(`no function in ${FOLDERS.join(', ')} is longer than ${MAX_LINES} lines`, () => {
    expect(all.filter((s) => s.lines > MAX_LINES).map((s) => `${s.where} (${s.lines} lines)`)).toEqual([]);
  });

  it(`no closure holds more than ${MAX_SHARED_MUTABLES} mutable variables`, () => {
    expect(all.filter((s) => s.sharedMutables.length > MAX_SHARED_MUTABLES)
      .map((s) => `${s.where} (${s.sharedMutables.join(', ')})`)).toEqual([]);
  });

  it('the checks see the code (the parser found the functions)', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(all.length).toBeGreaterThan(200);
  });
});
