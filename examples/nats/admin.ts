// The admin script: joins the namespace from anywhere with the contract the clusters serve over
// NATS, lists every member of both machines, calls one worker of the other machine by id,
// broadcasts `stats` to every worker, and asks each primary for its `clusterStats`.
import { connect } from '@nats-io/transport-node';
import { natsClusterContract } from 'typed-cluster-rpc/http';
import { joinNamespace } from 'typed-cluster-rpc/nats';
import { shopContract } from './contract.js';

const expected = Number(process.env['EXPECTED_MEMBERS'] ?? 6);
const contract = natsClusterContract(shopContract);
const nc = await connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' });
// The workers serve the `worker` side, so a caller of theirs plays `primary`; the primaries serve
// `primary` (clusterStats), so a caller of theirs plays `worker`. Neither of ours serves anything.
const admin = await joinNamespace(nc, contract, { namespace: 'shop', side: 'primary', serve: false, label: 'admin', timeout: 5_000 });
const probe = await joinNamespace(nc, contract, { namespace: 'shop', side: 'worker', serve: false, label: 'admin', timeout: 5_000 });

// Members announce themselves by heartbeat; wait (bounded) until every process of both machines has.
const serving = () => admin.members().filter((m) => m.serves);
const deadline = Date.now() + 15_000;
while (serving().length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const members = serving().sort((a, b) => a.label.localeCompare(b.label) || a.pid - b.pid);
console.log(`members of namespace "shop": ${members.length}`);
console.table(members.map((m) => ({ id: m.id, side: m.side, label: m.label, host: m.host, pid: m.pid, load: m.load })));

// One worker of machine B, by id.
const target = members.find((m) => m.label === 'machine-b/worker');
if (target === undefined) throw new Error('no worker of machine-b joined');
console.log(await admin.member(target.id)!.call('hello', { from: 'admin' }));

// Every worker of every machine at once: one entry each, with its status and latency.
const results = await admin.broadcast('stats', undefined, { timeout: 2_000 });
console.table(
  results.map((r) =>
    r.status === 'fulfilled'
      ? { member: r.member.label, pid: r.value.pid, handled: r.value.handled, ms: r.ms.toFixed(1) }
      : { member: r.member.label, pid: r.member.pid, handled: String(r.reason), ms: r.ms.toFixed(1) },
  ),
);
// Each machine's primary, for its own view of its workers.
const primaries = members.filter((m) => m.side === 'primary');
for (const p of primaries) {
  const stats = await probe.member(p.id)!.call('clusterStats');
  console.log(`${p.label}: ${stats.totals.ready} of ${stats.totals.workers} workers ready, ${stats.totals.handled} requests handled`);
}
admin.emit('announce', { text: 'stats collected' });
const answered = results.filter((r) => r.status === 'fulfilled').length;
console.log(`stats from ${answered} of ${results.length} workers and ${primaries.length} primaries on ${new Set(members.map((m) => m.label.split('/')[0])).size} machines`);
await admin.drain();
await probe.drain();
await nc.close();
