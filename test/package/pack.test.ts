// The tarball as a user gets it (needs `npm run build` first, as `npm test` does): `npm pack`, install
// into a fresh project outside this repo, use the core entries without zod, then install the peer,
// type-check a consumer with this repo's tsc and run it on a real cluster.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { installedVersion, ROOT, run, runOk, TSC } from './helpers.js';

const CONSUMER = path.join(ROOT, 'test', 'package', 'consumer');
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];

test('the packed tarball installs into a fresh project, works without zod for the core, and a strict consumer compiles and runs', async (t) => {
  t.timeout(300_000);
  // Outside the repo, so nothing resolves from this repo's node_modules.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'typed-cluster-rpc-pack-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  const packed = await runOk('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, limitMs: 60_000 });
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  const tarball = path.join(dir, filename);

  const project = path.join(dir, 'consumer');
  await mkdir(project);
  await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  await runOk('npm', ['install', ...NPM_FLAGS, tarball, `@types/node@${installedVersion('@types/node')}`], { cwd: project, limitMs: 120_000 });

  // Without zod, the core and testing entries load; the HTTP entry says zod is missing.
  const core = await runOk(process.execPath, ['--input-type=module', '-e', "const m = await import('typed-cluster-rpc'); await import('typed-cluster-rpc/testing'); console.log(typeof m.createPrimary);"], { cwd: project, limitMs: 20_000 });
  t.is(core.stdout, 'function\n');
  const http = await run(process.execPath, ['--input-type=module', '-e', "await import('typed-cluster-rpc/http');"], { cwd: project, limitMs: 20_000 });
  t.not(http.code, 0);
  t.regex(http.stderr, /Cannot find package 'zod'/);

  // With the peer installed: compile the consumer with this repo's tsc (strict, NodeNext, lib check on) and run it.
  await runOk('npm', ['install', ...NPM_FLAGS, `zod@${installedVersion('zod')}`], { cwd: project, limitMs: 120_000 });
  await copyFile(path.join(CONSUMER, 'main.ts'), path.join(project, 'main.ts'));
  await copyFile(path.join(CONSUMER, 'tsconfig.json'), path.join(project, 'tsconfig.json'));
  await runOk(TSC, ['-p', 'tsconfig.json'], { cwd: project, limitMs: 120_000 });

  const ran = await run(process.execPath, ['out/main.js'], { cwd: project, limitMs: 60_000 });
  t.is(ran.stderr, '');
  t.deepEqual({ code: ran.code, signal: ran.signal }, { code: 0, signal: null });
  t.regex(ran.stdout, /^consumer: worker 1 added 2 \+ 3 = 5; errors are RpcErrors\n$/);
});
