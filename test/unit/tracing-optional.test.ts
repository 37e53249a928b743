// The optional peers stay optional: the built entries load where neither @opentelemetry/api nor
// prom-client can be resolved, and say so only when asked to use them. Needs `npm run build`.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { withTimeout } from '../fixtures/process.js';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

test('without the packages installed the entries load, loadRpcTracing gives undefined and the prom-client adapter says what is missing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crpc-optional-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(DIST, join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const script = `
    const tracing = await import('./dist/tracing/index.js');
    const metrics = await import('./dist/metrics/index.js');
    const loaded = await tracing.loadRpcTracing();
    const prom = await metrics.promClientSnapshot().then(() => 'resolved', (e) => e.message);
    const registry = new metrics.MetricsRegistry();
    metrics.createRpcMetrics(registry).callRefused('client', 'RPC_BUSY');
    console.log(JSON.stringify({ loaded: loaded === undefined ? 'undefined' : 'loaded', prom, text: metrics.renderExposition(registry.snapshot().families).includes('rpc_client_refused_total{reason="RPC_BUSY"} 1') }));
  `;
  const out = await withTimeout(
    new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, env: { PATH: process.env['PATH'] ?? '' } }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    ),
    30_000,
    'the child',
  );
  t.deepEqual(JSON.parse(out), { loaded: 'undefined', prom: 'promClientSnapshot: prom-client is not installed (npm install prom-client), or pass a registry', text: true });
});

/** Every bare specifier a declaration file reaches through its relative imports. */
function declarationImports(entry: string): Set<string> {
  const bare = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.d.ts')));
      else bare.add(spec);
    }
  };
  visit(join(DIST, entry));
  return bare;
}

test('the declarations of the metrics and tracing entries reach no package, so consumers without the optional peers compile', (t) => {
  for (const entry of ['metrics/index.d.ts', 'tracing/index.d.ts']) {
    t.deepEqual([...declarationImports(entry)].filter((s) => !s.startsWith('node:')), [], entry);
  }
});
