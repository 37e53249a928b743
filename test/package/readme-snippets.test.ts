// Every TypeScript block of the README compiles (needs `npm run build` first, as `npm test` does):
// each ```ts block becomes a file in a temporary directory inside the repo, where `typed-cluster-rpc`
// resolves through the package's self-reference and zod (and any optional peer a section's block
// imports) from the repo's devDependencies; then this repo's tsc checks them all with the repo's
// strict settings. The Quick start and the testing snippet also run.
//
// A block whose first line is `// name.ts …` is written as name.ts, so blocks import each other as
// the README shows (`import { chat } from './contract.js'`); a later block reusing a name is written
// under another. A block fenced as ```ts no-check is not compiled: for a fragment that cannot be a
// file, and listed in this test's log.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { ROOT, run, TSC } from './helpers.js';

interface Block {
  readonly lang: string;
  readonly flags: string;
  readonly line: number;
  readonly code: string;
}

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  for (const m of markdown.matchAll(/^```(\S*)[ \t]*([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm)) {
    blocks.push({ lang: m[1]!, flags: m[2]!.trim(), line: markdown.slice(0, m.index).split('\n').length, code: m[3]! });
  }
  return blocks;
}

const blocks = blocksOf(readme);
const tsBlocks = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript');

/** Writes the blocks as files; returns which block became which file. */
async function writeBlocks(dir: string): Promise<Map<string, Block>> {
  const files = new Map<string, Block>();
  for (const block of tsBlocks) {
    if (block.flags.split(/\s+/).includes('no-check')) continue;
    const named = /^\/\/ ([\w.-]+\.ts)\b/.exec(block.code)?.[1];
    let name = named ?? `snippet-line-${block.line}.ts`;
    if (files.has(name)) name = `line-${block.line}-${name}`;
    files.set(name, block);
    // `export {}` makes every block a module, so top-level names of two blocks never clash.
    await writeFile(path.join(dir, name), `${block.code}\nexport {};\n`);
  }
  await writeFile(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noEmit: true }, include: ['*.ts'] }, null, 2),
  );
  return files;
}

async function snippetDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  // Inside the repo (temp/ is git-ignored): the self-reference and the devDependencies resolve from here.
  await mkdir(path.join(ROOT, 'temp'), { recursive: true });
  const dir = await mkdtemp(path.join(ROOT, 'temp', 'readme-snippets-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the README has TypeScript blocks and no JavaScript ones that would escape the check', (t) => {
  t.true(tsBlocks.length >= 5, `found ${tsBlocks.length}`);
  const unchecked = blocks.filter((b) => /^(js|javascript|mjs|cjs|tsx|jsx|mts|cts)$/.test(b.lang)).map((b) => `line ${b.line}: ${b.lang}`);
  t.deepEqual(unchecked, []);
  for (const b of tsBlocks.filter((b) => b.flags.includes('no-check'))) t.log(`not compiled (no-check): README.md line ${b.line}`);
});

test('every TypeScript block of the README compiles with the repo\'s strict settings', async (t) => {
  t.timeout(180_000);
  const dir = await snippetDir(t);
  const files = await writeBlocks(dir);
  t.true(files.has('contract.ts') && files.has('main.ts') && files.has('chat.test.ts'), [...files.keys()].join(', '));
  const { code, stdout, stderr } = await run(TSC, ['-p', path.join(dir, 'tsconfig.json')], { cwd: ROOT, limitMs: 150_000 });
  // Map errors back to README lines.
  const explained = stdout.replace(/^(?:\S*\/)?([\w.-]+\.ts)\((\d+),(\d+)\)/gm, (all, file: string, line: string) => {
    const block = files.get(file);
    return block === undefined ? all : `README.md:${block.line + Number(line)} (${all})`;
  });
  t.is(code, 0, `${explained}\n${stderr}`);
});

test('the Quick start runs on a real cluster and prints what it fetched; the testing snippet passes', async (t) => {
  t.timeout(180_000);
  const dir = await snippetDir(t);
  await writeBlocks(dir);

  const quick = await run(process.execPath, ['--import=tsx', 'main.ts'], { cwd: dir, limitMs: 60_000 });
  t.is(quick.stderr, '');
  t.deepEqual({ code: quick.code, signal: quick.signal }, { code: 0, signal: null });
  const lines = quick.stdout.trim().split('\n');
  t.deepEqual(lines.map((l) => l.replace(/pid \d+/, 'pid N').replace(/\d+ MiB/, 'M MiB')), [
    '[info] worker 1: up',
    'worker 1: pid N, 1 call handled, M MiB',
    'hello Ada',
    'worker 1 has handled 3 calls',
    'worker 1: config version 2',
  ]);
  // The README shows the same lines.
  t.true(readme.includes(['```text', ...lines.map((l) => l.replace(/pid \d+/, 'pid 12345').replace(/\d+ MiB/, '52 MiB')), '```'].join('\n')), 'the README prints what main.ts prints');

  const unit = await run(process.execPath, ['--import=tsx', '--test', 'chat.test.ts'], { cwd: dir, limitMs: 60_000 });
  t.is(unit.code, 0, `${unit.stdout}\n${unit.stderr}`);
  t.regex(unit.stdout, /# pass 1\n/);
});
