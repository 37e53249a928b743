// The HTTP entry loads the metrics modules only for a cluster that asks for metrics: a process that
// imports `typed-cluster-rpc/http` without them (the primary and every worker) evaluates nothing of
// dist/metrics but the outcome labels the RPC core shares with them. Checked in a child process
// whose module loads a hook records.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import test from 'ava';
import { BOUND, withTimeout } from '../fixtures/process.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The URLs of every module a fresh node process loads while it runs `script` (an ES module). */
async function modulesLoadedBy(script: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lazy-modules-'));
  try {
    writeFileSync(path.join(dir, 'hooks.mjs'), 'export async function load(url, context, next) { process.stderr.write(`LOADED ${url}\\n`); return next(url, context); }\n');
    writeFileSync(path.join(dir, 'register.mjs'), `import { register } from 'node:module'; register(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)});\n`);
    writeFileSync(path.join(dir, 'main.mjs'), script);
    const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(dir, 'register.mjs')).href, path.join(dir, 'main.mjs')], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await withTimeout(once(child, 'exit'), BOUND.process, 'the child process')) as [number | null];
    if (code !== 0) throw new Error(`the child exited ${code}: ${stderr}`);
    return [...stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1]!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const entry = (sub: string): string => pathToFileURL(path.join(root, 'dist', sub)).href;

test('importing the HTTP entry loads no metrics module but the outcome labels the core shares', async (t) => {
  const loaded = await modulesLoadedBy(`await import(${JSON.stringify(entry('http/index.js'))});\n`);
  t.true(loaded.some((url) => url.includes('/dist/http/primary/supervisor.js')), 'the entry itself was loaded');
  t.deepEqual(
    loaded.filter((url) => url.includes('/dist/metrics/')).map((url) => url.slice(url.indexOf('/dist/'))),
    ['/dist/metrics/outcome.js'],
  );
});

test("a worker's metrics module is loaded once the option asks for it", async (t) => {
  const script = `const { loadWorkerMetrics } = await import(${JSON.stringify(entry('http/worker/metrics.js'))});
const { LoadMeter } = await import(${JSON.stringify(entry('http/worker/load-meter.js'))});
const metrics = await loadWorkerMetrics({ host: '127.0.0.1', path: '/metrics', timeout: 1000, promClient: false }, new LoadMeter());
if (metrics === undefined) process.exit(3);
`;
  const loaded = await modulesLoadedBy(script);
  t.true(loaded.some((url) => url.includes('/dist/metrics/registry.js')));
});
