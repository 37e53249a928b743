// runHttpCluster's `nats` option: its checks, and that the HTTP entry loads no NATS code without it.
import { execFile } from 'node:child_process';
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { resolveHttpOptions, type HttpClusterOptions } from '../../src/http/options.js';
import { checkMemberOptions } from '../../src/http/nats.js';
import { runHttpCluster } from '../../src/http/index.js';
import { BOUND } from '../fixtures/process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const base = { port: 0, worker: () => undefined as never };
const connect = async () => undefined as never;
const resolve = (nats: unknown) => resolveHttpOptions({ ...base, nats } as unknown as HttpClusterOptions).nats;

test('the nats option is off by default and resolved with closeConnection true', (t) => {
  t.is(resolveHttpOptions(base as unknown as HttpClusterOptions).nats, undefined);
  const nats = resolve({ connect, namespace: 'shop' })!;
  t.is(nats.namespace, 'shop');
  t.true(nats.closeConnection);
  t.deepEqual(nats.member, {});
  t.false(resolve({ connect, namespace: 'shop', closeConnection: false })!.closeConnection);
});

test('bad nats options are refused with an error that names the option', (t) => {
  const cases: [unknown, RegExp][] = [
    ['nats://x', /runHttpCluster: nats: options must be an object/],
    [{ namespace: 'shop' }, /nats\.connect must be a function/],
    [{ connect: {}, namespace: 'shop' }, /nats\.connect must be a function/],
    [{ connect }, /nats\.namespace must be 1 to 64 letters/],
    [{ connect, namespace: 'a.b' }, /nats\.namespace must be 1 to 64 letters/],
    [{ connect, namespace: 'shop', closeConnection: 'yes' }, /closeConnection must be a boolean/],
    [{ connect, namespace: 'shop', servers: 'nats://x' }, /unknown option "servers"/],
    [{ connect, namespace: 'shop', member: 5 }, /nats\.member must be an object/],
    [{ connect, namespace: 'shop', member: { side: 'primary' } }, /nats\.member\.side is set by the cluster/],
    [{ connect, namespace: 'shop', member: { handlers: {} } }, /nats\.member\.handlers is set by the cluster/],
  ];
  for (const [nats, message] of cases) t.throws(() => resolve(nats), { instanceOf: TypeError, message }, JSON.stringify(nats));
});

test('the member options are checked in full before anything starts', (t) => {
  const check = (member: unknown) => () => checkMemberOptions(resolve({ connect, namespace: 'shop', member })!);
  t.notThrows(check({ heartbeatInterval: 100, heartbeatTimeout: 1_000, label: 'eu-1', timeout: 5_000 }));
  t.throws(check({ heartbeatInterval: 0 }), { instanceOf: TypeError, message: /runHttpCluster: nats\.member: heartbeatInterval must be a positive number/ });
  t.throws(check({ heartbeatInterval: 2_000, heartbeatTimeout: 1_000 }), { message: /heartbeatTimeout must be larger than heartbeatInterval/ });
  t.throws(check({ hearbeat: 1 }), { message: /runHttpCluster: nats\.member: unknown option "hearbeat"/ });
});

test('runHttpCluster rejects bad member options before it forks or listens', async (t) => {
  let connected = 0;
  const options = { port: 0, worker: () => undefined as never, nats: { connect: async () => void connected++ as never, namespace: 'shop', member: { heartbeatInterval: -1 } } };
  await t.throwsAsync(runHttpCluster(options as unknown as HttpClusterOptions), { instanceOf: TypeError, message: /runHttpCluster: nats\.member: heartbeatInterval must be/ });
  t.is(Object.keys(cluster.workers ?? {}).length, 0);
  t.is(connected, 0);
});

// A resolve hook that fails the import of anything NATS: @nats-io/*, the nats entry, the HTTP
// cluster's NATS wiring. Run in a fresh process, over the built package as users load it.
const HOOK = `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (/@nats-io|\\/dist\\/nats\\/|\\/dist\\/http\\/nats\\.js/.test(r.url)) throw new Error('NATS code loaded: ' + r.url);
  return r;
}`;

function importWithHook(entry: string): Promise<{ code: number; stderr: string }> {
  const script = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}));
const m = await import(${JSON.stringify(entry)});
console.log(Object.keys(m).join(','));`;
  return new Promise((done) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, timeout: BOUND.reply }, (error, _stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stderr });
    });
  });
}

test('the HTTP entry loads no NATS code (the nats option imports it lazily)', async (t) => {
  const http = await importWithHook('typed-cluster-rpc/http');
  t.is(http.code, 0, http.stderr);
  // The hook does catch NATS code: the nats entry fails under it.
  const nats = await importWithHook('typed-cluster-rpc/nats');
  t.not(nats.code, 0);
  t.regex(nats.stderr, /NATS code loaded/);
});
