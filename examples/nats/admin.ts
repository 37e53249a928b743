// The admin script: joins the namespace from anywhere, lists every member of both machines, calls
// one worker of the other machine by id, and broadcasts `stats` to all of them.
import { connect } from '@nats-io/transport-node';
import { joinNamespace } from 'typed-cluster-rpc/nats';
import { shopContract } from './contract.js';

const expected = Number(process.env['EXPECTED_MEMBERS'] ?? 6);
const nc = await connect({ servers: process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222' });
const admin = await joinNamespace(nc, shopContract, { namespace: 'shop', side: 'primary', label: 'admin', timeout: 5_000 });

// Members announce themselves by heartbeat; wait (bounded) until every process of both machines has.
const deadline = Date.now() + 15_000;
while (admin.members().length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
const members = admin.members().sort((a, b) => a.label.localeCompare(b.label) || a.pid - b.pid);
console.log(`members of namespace "shop": ${members.length}`);
console.table(members.map((m) => ({ id: m.id, label: m.label, host: m.host, pid: m.pid, load: m.load })));

// One worker of machine B, by id.
const target = members.find((m) => m.label === 'machine-b/worker');
if (target === undefined) throw new Error('no worker of machine-b joined');
console.log(await admin.member(target.id)!.call('hello', { from: 'admin' }));

// Everyone at once: one entry per member, each with its status and latency.
const results = await admin.broadcast('stats', undefined, { timeout: 2_000 });
console.table(
  results.map((r) =>
    r.status === 'fulfilled'
      ? { member: r.member.label, pid: r.value.pid, requests: r.value.requests, 'ms': r.ms.toFixed(1) }
      : { member: r.member.label, pid: r.member.pid, requests: String(r.reason), ms: r.ms.toFixed(1) },
  ),
);
admin.emit('announce', { text: 'stats collected' });
const answered = results.filter((r) => r.status === 'fulfilled').length;
console.log(`stats from ${answered} of ${results.length} members on ${new Set(members.map((m) => m.label.split('/')[0])).size} machines`);
await admin.drain();
await nc.close();
