// The HTTP cluster across machines: two clusters (each a forked primary with two workers, on its
// own port) joined to one namespace through runHttpCluster's `nats` option, and this process as a
// plain member of both sides, over a real nats-server.
import test from 'ava';
import { connect } from '@nats-io/transport-node';
import { joinNamespace } from '../../src/nats/index.js';
import type { LeftReason, MemberInfo } from '../../src/nats/index.js';
import { natsClusterContract } from '../../src/http/index.js';
import { machineContract } from '../fixtures/machine-contract.js';
import { startNatsServer } from '../fixtures/nats-server.js';
import { BOUND, withTimeout } from '../fixtures/process.js';
import { get, startCluster, type Cluster } from '../http/helpers.js';
import { freshNamespace } from './helpers.js';

const FIXTURE = new URL('../fixtures/http-nats-server.ts', import.meta.url).pathname;
const contract = natsClusterContract(machineContract);

async function machine(t: Parameters<typeof startCluster>[0], name: string, url: string, namespace: string): Promise<{ cluster: Cluster; pid: number; port: number; workerPids: number[]; natsId: string }> {
  const cluster = await startCluster(t, { MACHINE: name, NATS_URL: url, NAMESPACE: namespace, WORKERS: '2' }, FIXTURE);
  const line = (await cluster.listening()) as unknown as { pid: number; port: number; workers: { pid: number }[]; natsId?: string };
  if (line.natsId === undefined) throw new Error(`${name}'s primary did not join NATS: ${cluster.stdout}`);
  return { cluster, pid: line.pid, port: line.port, workerPids: line.workers.map((w) => w.pid), natsId: line.natsId };
}

async function until(predicate: () => boolean, what: string, ms = BOUND.process): Promise<void> {
  const deadline = performance.now() + ms;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('two HTTP clusters on one namespace: broadcast to every worker, call one by id, reach each primary; a stopped cluster leaves', async (t) => {
  const server = await startNatsServer(t);
  const namespace = freshNamespace();
  const [a, b] = await Promise.all([machine(t, 'a', server.url, namespace), machine(t, 'b', server.url, namespace)]);

  const nc = await connect({ servers: server.url });
  t.teardown(() => nc.close().catch(() => undefined));
  // This process plays both sides: `admin` calls the workers, `probe` calls the primaries.
  const admin = await joinNamespace(nc, contract, { namespace, side: 'primary', serve: false, heartbeatInterval: 200, heartbeatTimeout: 3_000 });
  const probe = await joinNamespace(nc, contract, { namespace, side: 'worker', serve: false, heartbeatInterval: 200, heartbeatTimeout: 3_000 });
  t.teardown(() => admin.close());
  t.teardown(() => probe.close());
  const left: { member: MemberInfo; reason: LeftReason }[] = [];
  admin.onMembers('left', (member, { reason }) => left.push({ member, reason }));

  const allWorkers = [...a.workerPids, ...b.workerPids];
  const serving = (side: 'primary' | 'worker') => admin.members().filter((m) => m.side === side && m.serves);
  await until(() => serving('worker').length === 4 && serving('primary').length === 2, 'both clusters to be members');

  // broadcast('stats'): one entry per worker of both clusters.
  const results = await admin.broadcast('stats', undefined, { timeout: BOUND.reply });
  t.is(results.length, 4);
  t.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value.pid : -1)).sort(), [...allWorkers].sort());

  // The primary of a calls one named worker of b, through its own app.nats.
  const bWorker = serving('worker').find((m) => m.pid === b.workerPids[0])!;
  t.deepEqual(await a.cluster.command('natsCall', { id: bWorker.id }), { machine: 'b', pid: b.workerPids[0] });
  // And so does this process.
  t.deepEqual(await admin.member(bWorker.id)!.call('whoami'), { machine: 'b', pid: b.workerPids[0] });

  // Each primary answers clusterStats over NATS with its own two workers.
  for (const m of [a, b]) {
    const stats = await probe.member(m.natsId)!.call('clusterStats');
    t.deepEqual(stats.workers.map((w) => w.pid).sort(), [...m.workerPids].sort());
    t.is(stats.totals.ready, 2);
  }

  // b stops: its workers drain their members with their HTTP drain (a call in flight finishes),
  // its primary's after the stop.
  const handle = admin.member(bWorker.id)!;
  const bMembers = [b.pid, ...b.workerPids];
  const inFlight = handle.call('slow', { ms: 1_000 }, { timeout: BOUND.reply });
  await b.cluster.until(() => b.cluster.lines.find((l) => (l as { type: string; pid?: number }).type === 'slowStarted' && (l as { pid: number }).pid === bWorker.pid), BOUND.reply, 'the slow call to start');
  const closing = b.cluster.command('close').catch(() => undefined); // the process may exit before it replies
  t.is(await inFlight, bWorker.pid);
  await closing;
  t.is((await b.cluster.waitExit(BOUND.process)).code, 0);
  await until(() => bMembers.every((pid) => left.some((l) => l.member.pid === pid)), "b's members to leave");
  t.deepEqual(left.filter((l) => bMembers.includes(l.member.pid)).map((l) => l.reason), ['goodbye', 'goodbye', 'goodbye']);

  // Calls to a member that left fail at once, never sent; a broadcast has a's workers only.
  const error = await t.throwsAsync(handle.call('whoami', undefined, { timeout: BOUND.reply }));
  t.like(error, { code: 'RPC_NO_WORKER', sent: false });
  const after = await admin.broadcast('stats', undefined, { timeout: BOUND.reply });
  t.deepEqual(after.map((r) => r.member.pid).sort(), [...a.workerPids].sort());

  // The NATS server goes away: a keeps serving HTTP, and says so in its log.
  await server.stop();
  await a.cluster.until(() => a.cluster.lines.find((l) => (l as { type: string; message?: string }).type === 'log' && /lost its NATS connection/.test((l as { message: string }).message)), BOUND.reply, 'a to log the lost connection');
  const reply = await get(a.port, '/');
  t.is(reply.status, 200);
  t.false(a.cluster.exited);
});

test('a cluster whose NATS connection cannot be opened serves HTTP, logs why, and app.nats rejects in every process', async (t) => {
  const dead = await startNatsServer(t);
  const url = dead.url;
  await dead.stop();
  const c = await startCluster(t, { MACHINE: 'x', NATS_URL: url, NAMESPACE: freshNamespace(), WORKERS: '2' }, FIXTURE);
  const line = (await c.listening()) as unknown as { port: number; natsId?: string };
  t.is(line.natsId, undefined);
  await c.until(() => (c.lines.filter((l) => (l as { type: string }).type === 'natsFailed').length >= 3 ? true : undefined), BOUND.reply, 'every process to report its failed join');
  const logged = c.lines.filter((l) => (l as { type: string; level?: string }).type === 'log' && (l as { level?: string }).level === 'error');
  t.true(logged.length >= 3, JSON.stringify(logged));
  t.regex((logged[0] as unknown as { message: string }).message, /could not join NATS namespace/);
  t.is((await get(line.port, '/')).status, 200);
  await withTimeout(c.command('close').catch(() => undefined), BOUND.process, 'close');
  t.is((await c.waitExit(BOUND.process)).code, 0);
});
