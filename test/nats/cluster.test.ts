// A three-server NATS cluster on loopback (routes between them): the server of a forked member is
// killed, the member reconnects to another, and calls to it continue.
import { connect } from '@nats-io/transport-node';
import test from 'ava';
import { RpcPeerExitedError } from '../../src/index.js';
import { freePort, startNatsServer, type NatsServer } from '../fixtures/nats-server.js';
import { connectTo, eventually, forkMember, freshNamespace, joinPrimary, knows, withTimeout } from './helpers.js';

/** Starts three routed servers and waits (bounded) until a message crosses from each to the first. */
async function startCluster(t: Parameters<typeof startNatsServer>[0]): Promise<NatsServer[]> {
  const routes = [await freePort(), await freePort(), await freePort()];
  const servers: NatsServer[] = [];
  for (const [i, port] of routes.entries()) {
    servers.push(await startNatsServer(t, { cluster: { port, routes: routes.filter((_, j) => j !== i).map((p) => `nats://127.0.0.1:${p}`) } }));
  }
  const probe = await connect({ servers: servers[0]!.url });
  const heard = new Set<string>();
  probe.subscribe('probe', { callback: (_e, msg) => void heard.add(msg.string()) });
  await probe.flush();
  const senders = await Promise.all(servers.slice(1).map((s) => connect({ servers: s.url })));
  await withTimeout(
    (async () => {
      while (heard.size < 2) {
        senders.forEach((nc, i) => nc.publish('probe', String(i)));
        await new Promise((r) => setTimeout(r, 50));
      }
    })(),
    20_000,
    'the routes to form',
  );
  await Promise.all([probe.close(), ...senders.map((nc) => nc.close())]);
  return servers;
}

test('a member whose server is killed reconnects to another server of the cluster, and calls to it continue', async (t) => {
  const [a, b, c] = await startCluster(t);
  const ns = freshNamespace();
  // The member tries the servers in order: it lands on the first one.
  const { child, id } = await forkMember(t, [a!.url, b!.url, c!.url].join(','), ns);
  const server = new Promise<string>((resolve) => child.once('message', (m: { server?: string }) => m.server && resolve(m.server)));
  child.send({ reconnectedTo: true });
  t.regex(await withTimeout(server, 10_000, 'the member to say where it is'), new RegExp(`:${a!.port}$`));
  const primary = await joinPrimary(t, await connectTo(t, b!.url), ns, { timeout: 5_000 });
  await knows(primary, [id]);
  t.truthy((await primary.member(id)!.call('stats')).pid);
  const pending = primary.member(id)!.call('hang', undefined, { timeout: 60_000 });
  await primary.member(id)!.call('stats'); // sent after it, on the same subject: the hanging call has arrived

  await a!.stop('SIGKILL');
  // The call it had is lost with its connection: it settles when the member is back (or missed), not at its timeout.
  const lost = await t.throwsAsync(withTimeout(pending, 30_000, 'the pending call'), { instanceOf: RpcPeerExitedError });
  t.like(lost, { sent: true });
  t.regex(lost!.message, /reconnected to NATS|heartbeats stopped|nobody listens/);
  // Calls continue once the member is back on another server: by id, and through the queue group.
  const pid = await withTimeout(
    (async () => {
      for (;;) {
        try {
          await knows(primary, [id], 20_000);
          return (await primary.member(id)!.call('stats')).pid;
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    })(),
    30_000,
    'a call after the failover',
  );
  t.is(pid, child.pid!);
  t.is((await withTimeout(primary.call("stats"), 10_000, "a call to any member")).pid, child.pid!);
  const moved = new Promise<string>((resolve) => child.once('message', (m: { server?: string }) => m.server && resolve(m.server)));
  child.send({ reconnectedTo: true });
  t.notRegex(await withTimeout(moved, 10_000, 'the member to say where it is now'), new RegExp(`:${a!.port}$`));
  await eventually(() => primary.stats().inFlight === 0, 10_000, 'nothing left in flight');
});
